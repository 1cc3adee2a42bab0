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

/** The events of a tracker created without an event map: any name, any properties. */
export type AnyEvents = Record<string, Record<string, unknown> | undefined>

/** Options of one `track()` call that do not depend on who the user is. */
export interface CallOptions {
  /** When it happened; defaults to now. Events with an explicit time do not send a heartbeat. */
  timestamp?: Date | string | number
  /**
   * Collapse repeated calls of this event by this user within `debounceMs` into the last one,
   * which carries `count` (how many calls it stands for). For search-as-you-type and the like.
   */
  debounceMs?: number
}

/** Who an event belongs to, given per call (backends) or by `identify()` (browsers), and call options. */
export interface TrackContext extends CallOptions {
  /** The user the event belongs to; defaults to the identified user. */
  userId?: string
  /** The user's account (team, organisation, tenant). */
  accountId?: string
}

/** The user of a scoped handle (`tracker.for(user)`) or of `identify()`. */
export interface UserRef {
  /** The user. */
  userId: string
  /** The user's account (team, organisation, tenant), if any. */
  accountId?: string
}

/** Options of `seen()` and `identify()`. */
export interface AccountOptions {
  /** The user's account (team, organisation, tenant). */
  accountId?: string
}

/** The rest of `track()`'s arguments for event `K`: props are required unless the event has none. */
export type TrackArgs<
  Events,
  K extends keyof Events,
  Context = TrackContext,
> = undefined extends Events[K]
  ? [props?: Events[K], context?: Context]
  : [props: Events[K], context?: Context]

/** Counters of what the tracker did since it was created. */
export interface TrackerStats {
  /** Events waiting to be sent (including debounced calls not yet collapsed). */
  queued: number
  /** Events in requests not yet answered. */
  inFlight: number
  /** Events the server acknowledged as stored (newly or as duplicates). */
  sent: number
  /** Of `sent`, events the server already had (a retry or resend); never counted twice. */
  duplicates: number
  /** HTTP requests retried after a network error, 408, 429 or 5xx. */
  retried: number
  /** Events dropped because the queue was full (oldest first); reported to the server. */
  dropped: number
  /**
   * Events refused: locally (over 32 KB, properties nested over 32 levels, `beforeSend` threw)
   * or individually by the server.
   */
  rejected: number
  /** Events in batches the server refused as a whole (a 4xx such as 401), dropped. */
  failed: number
}
