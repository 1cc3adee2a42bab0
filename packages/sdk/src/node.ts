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

// Types, errors and limits shared by every entry (an explicit list, in public-api.ts).
export * from './public-api.js'
