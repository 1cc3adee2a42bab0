/**
 * @module
 * Everything each runtime entry (`index`, `node`, `browser`) exports besides its own
 * `createTracker`: types, errors and limits. Listed once, so the entries cannot drift apart.
 * Deliberately not exported: the core, platforms and transport are internal and may change.
 */
export type { LastseenErrorCode } from './errors.js'
export { isLastseenError, LastseenError } from './errors.js'
export type { FlushOptions, RetryOptions, TrackerOptions } from './options.js'
export type { ScopedTracker, Tracker } from './tracker.js'
export type {
  AccountOptions,
  AccountTraits,
  AnyEvents,
  AnyTraits,
  CallOptions,
  EventMap,
  IdentifyOptions,
  TrackArgs,
  TrackContext,
  TrackerStats,
  TraitMap,
  TraitsUpdate,
  UserRef,
  UserTraits,
} from './types.js'
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
} from './wire.js'
export { LIMITS } from './wire.js'
