/**
 * @module
 * `@lastseen/sdk` for Node.js: `unref()`ed timers, heartbeats in a bounded LRU, a flush before
 * the process exits on its own.
 */
import type { TrackerOptions } from './options.js'
import { nodePlatform } from './platform/node.js'
import { buildTracker, type Tracker } from './tracker.js'
import type { AnyEvents, EventMap } from './types.js'

/**
 * Create a tracker for the events of `Events` (event name → properties, or `undefined`).
 * Never throws: invalid options disable the tracker and log one clear error.
 *
 * @example
 * type Events = { search: { query: string }; login: undefined }
 * const tracker = createTracker<Events>({ endpoint: 'http://localhost:3000', writeKey: 'lsw_…' })
 */
export function createTracker<Events extends EventMap<Events> = AnyEvents>(
  options: TrackerOptions,
): Tracker<Events> {
  return buildTracker<Events>(nodePlatform, options)
}

export type { LastseenErrorCode } from './errors.js'
export { isLastseenError, LastseenError } from './errors.js'
export type { FlushOptions, RetryOptions, TrackerOptions } from './options.js'
export type { ScopedTracker, Tracker } from './tracker.js'
export type {
  AccountOptions,
  AnyEvents,
  CallOptions,
  EventMap,
  TrackArgs,
  TrackContext,
  TrackerStats,
  UserRef,
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
  WireSeenEvent,
  WireTrackEvent,
} from './wire.js'
export { LIMITS } from './wire.js'
// Deliberately not exported: the core, platforms and transport are internal and may change.
