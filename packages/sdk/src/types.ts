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

/** Options of `seen()`. */
export interface AccountOptions {
  /** The user's account (team, organisation, tenant). */
  accountId?: string
}

/**
 * What an application knows about its users and accounts: trait name → value type, for each.
 * Either may be left out (then any traits are accepted for it).
 *
 * @example
 * type Traits = {
 *   user: { email: string; name: string; plan: 'free' | 'pro' }
 *   account: { name: string; mrr: number }
 * }
 */
export interface TraitMap {
  /** Traits of a user (well-known: `email`, `name`). */
  user?: object
  /** Traits of an account (well-known: `name`, `mrr`: what the account pays a month). */
  account?: object
}

/** The traits of a tracker created without a trait map: any traits for users and accounts. */
export type AnyTraits = { user: Record<string, unknown>; account: Record<string, unknown> }

/**
 * Traits to set: any of the declared ones (send only what changed), each of its declared type or
 * `null`, which removes it.
 */
export type TraitsUpdate<T> = { [K in keyof T]?: T[K] | null }

/** The user traits declared by `Traits` (any, when not declared). */
export type UserTraits<Traits extends TraitMap> = Traits extends { user: infer U extends object }
  ? U
  : Record<string, unknown>

/** The account traits declared by `Traits` (any, when not declared). */
export type AccountTraits<Traits extends TraitMap> = Traits extends {
  account: infer A extends object
}
  ? A
  : Record<string, unknown>

/** Options of `identify()`. */
export interface IdentifyOptions<T extends object = Record<string, unknown>> {
  /** The user's account (team, organisation, tenant). */
  accountId?: string
  /**
   * The user's traits to set (merged per key into what the service knows; `null` removes one).
   * When given, an `identify` event carrying them is queued.
   */
  traits?: TraitsUpdate<T>
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
   * Events refused: locally (every `invalid_event`: no user, a name or user id over 200
   * characters, an invalid timestamp, over 32 KB, properties or traits nested over 32 levels,
   * traits that are not a plain object or have too many or too long keys, `beforeSend` threw)
   * or individually by the server.
   */
  rejected: number
  /** Events in batches the server refused as a whole (a 4xx such as 401), dropped. */
  failed: number
}
