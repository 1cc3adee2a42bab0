/**
 * @module
 * `@lastseen/sdk/wire`: the lastseen wire protocol, v1, for anyone who sends to or receives from
 * the ingestion service: the request and answer types of `POST /v1/batch` and `POST /v1/track`,
 * and the protocol's limits. They live in the workspace's protocol package and are inlined into
 * this entry's build, types included, so the published package depends on nothing private.
 */
export type {
  BatchRequest,
  BatchResponse,
  ErrorCode,
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
} from '@lastseen/protocol'
export { LIMITS } from '@lastseen/protocol'
