/**
 * @module
 * `@lastseen/sdk` for browsers: unsent events kept in `localStorage` and resent after a reload,
 * delivery on page hide (`keepalive` fetch, `sendBeacon`), the identified user and the last
 * heartbeat shared by every tab.
 */
import type { TrackerOptions } from './options.js'
import { browserPlatform } from './platform/browser.js'
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
  return buildTracker<Events>(browserPlatform, options)
}

// Types, errors and limits shared by every entry (an explicit list, in public-api.ts).
export * from './public-api.js'
