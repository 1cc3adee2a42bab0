/**
 * @module
 * `@lastseen/sdk` for Node.js: `unref()`ed timers, heartbeats in a bounded LRU, a flush before
 * the process exits on its own.
 */
import type { TrackerOptions } from './options.js'
import { nodePlatform } from './platform/node.js'
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
  return buildTracker<Events, Traits>(nodePlatform, options)
}

// Types, errors and limits shared by every entry (an explicit list, in public-api.ts).
export * from './public-api.js'
