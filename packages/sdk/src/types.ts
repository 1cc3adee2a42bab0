/**
 * @module
 * The types that make tracking typed: an application's event map, and what `track()` accepts for it.
 */

/**
 * An application's events: each name maps to its properties, or `undefined` for none.
 *
 * @example
 * type Events = { search: { query: string }; login: undefined }
 */
export type EventMap<Events> = { [K in keyof Events]: Record<string, unknown> | undefined }

/** Who an event belongs to, given per call (backends) or by `identify()` (browsers). */
export interface TrackContext {
  /** The user the event belongs to. */
  userId?: string
  /** The user's account (team, organisation, tenant). */
  accountId?: string
  /** When it happened; defaults to now. */
  timestamp?: Date | string | number
}

/** The rest of `track()`'s arguments for event `K`: props are required unless the event has none. */
export type TrackArgs<Events, K extends keyof Events> = undefined extends Events[K]
  ? [props?: Events[K], context?: TrackContext]
  : [props: Events[K], context?: TrackContext]
