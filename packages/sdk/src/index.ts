/**
 * @module
 * `@lastseen/sdk` for fetch-based runtimes (Cloudflare Workers, Vercel Edge, Deno, Bun):
 * the universal entry. Plain timers, heartbeats in an LRU per isolate; flush at the end of each
 * request (`await tracker.flush()` or `ctx.waitUntil(tracker.flush())`).
 */
import type { TrackerOptions } from './options.js'
import { edgePlatform } from './platform/edge.js'
import { buildTracker, type Tracker } from './tracker.js'
import type { AnyEvents, AnyTraits, EventMap, TraitMap } from './types.js'

/**
 * Create a tracker for the events of `Events` (event name → properties, or `undefined`) and,
 * optionally, the traits of `Traits` (`{ user, account }`: trait name → value type; any traits
 * when left out). Never throws: invalid options disable the tracker and log one clear error.
 *
 * @example
 * type Events = { search: { query: string }; login: undefined }
 * type Traits = { user: { email: string; plan: 'free' | 'pro' }; account: { name: string; mrr: number } }
 * const tracker = createTracker<Events, Traits>({ endpoint: 'http://localhost:3000', writeKey: 'lsw_…' })
 */
export function createTracker<
  Events extends EventMap<Events> = AnyEvents,
  Traits extends TraitMap = AnyTraits,
>(options: TrackerOptions): Tracker<Events, Traits> {
  return buildTracker<Events, Traits>(edgePlatform, options)
}

// Types, errors and limits shared by every entry (an explicit list, in public-api.ts).
export * from './public-api.js'
