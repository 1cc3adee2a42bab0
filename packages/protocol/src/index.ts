/**
 * @module
 * `@lastseen/protocol`: the contract between the SDK and the ingestion service. Wire types,
 * every limit, the error codes with their HTTP statuses, which statuses are worth retrying, and
 * how an event's size is counted.
 *
 * Private and TypeScript only: both builds inline it (tsup `noExternal`), and the SDK
 * re-exports the wire types and `LIMITS` as `@lastseen/sdk/wire`, so nothing published ever
 * depends on this package.
 */
export type { ErrorCode } from './error-codes.js'
export { ERROR_STATUS, statusOf } from './error-codes.js'
export { eventBytes, utf8Length } from './event-size.js'
export { LIMITS } from './limits.js'
export { isRetryableStatus } from './retry.js'
export type {
  BatchRequest,
  BatchResponse,
  ErrorResponse,
  RejectedEvent,
  TrackRequest,
  WireEvent,
  WireEventType,
  WireGroupEvent,
  WireIdentifyEvent,
  WireSeenEvent,
  WireTrackEvent,
  WireTraits,
} from './wire.js'
