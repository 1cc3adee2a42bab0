/**
 * @module
 * `@lastseen/sdk` for fetch-based runtimes (edge, Deno, Bun): the universal entry.
 */

export type { TrackerOptions } from './options.js'
export type { Tracker } from './tracker.js'
export { createTracker } from './tracker.js'
export type { EventMap, TrackArgs, TrackContext } from './types.js'
export type * from './wire.js'
export { LIMITS } from './wire.js'
