/**
 * @module
 * `@lastseen/sdk` for fetch-based runtimes (Cloudflare Workers, Vercel Edge, Deno, Bun):
 * the universal entry. Plain timers, heartbeats in an LRU per isolate; flush at the end of each
 * request (`await tracker.flush()` or `ctx.waitUntil(tracker.flush())`).
 */
import type { TrackerOptions } from './options.js'
import { edgePlatform } from './platform/edge.js'
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
  return buildTracker<Events>(edgePlatform, options)
}

// Types, errors and limits shared by every entry (an explicit list, in public-api.ts).
export * from './public-api.js'
