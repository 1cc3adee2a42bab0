/**
 * @module
 * The public tracker: typed `track()`, `identify()` and `group()`, scoped handles, `seen()`, `flush()`,
 * `shutdown()`, `getStats()`, over the {@link Core}. Invalid options disable it with one clear
 * error; nothing it does throws into the host.
 */
import { resolveConfig } from './config.js'
import { type Core, createCore } from './core/core.js'
import { LastseenError } from './errors.js'
import type { FlushOptions, TrackerOptions } from './options.js'
import type { Platform } from './platform/platform.js'
import type {
  AccountOptions,
  AccountTraits,
  AnyTraits,
  CallOptions,
  EventMap,
  IdentifyOptions,
  TrackArgs,
  TrackContext,
  TrackerStats,
  TraitMap,
  TraitsUpdate,
  UserRef,
  UserTraits,
} from './types.js'

/** A handle bound to one user, from `tracker.for({ userId, accountId })`. Cheap to create per request. */
export interface ScopedTracker<
  Events extends EventMap<Events>,
  Traits extends TraitMap = AnyTraits,
> {
  readonly userId: string
  readonly accountId: string | undefined
  /** Track event `name` for this user. */
  track<K extends keyof Events & string>(name: K, ...args: TrackArgs<Events, K, CallOptions>): void
  /** Mark this user as seen (at most once per heartbeat interval). */
  seen(): void
  /**
   * Set this user's traits (only the keys that changed; `null` removes one): queues an
   * `identify` event with the handle's user and account. Not activity: it does not mark the
   * user seen, so it suits webhooks and backfills. Never throws.
   *
   * @example
   * tracker.for({ userId: 'u_1', accountId: 'acme' }).identify({ plan: 'pro' })
   */
  identify(traits: TraitsUpdate<UserTraits<Traits>>): void
}

/**
 * A tracker for an application's events (`Events`) and, optionally, the traits of its users and
 * accounts (`Traits`, see {@link TraitMap}).
 */
export interface Tracker<Events extends EventMap<Events>, Traits extends TraitMap = AnyTraits> {
  /**
   * Queue event `name` with its properties. Backends pass `{ userId, accountId }` per call;
   * browsers call `identify()` once. Also sends the user's heartbeat if it is due. Never throws.
   */
  track<K extends keyof Events & string>(name: K, ...args: TrackArgs<Events, K>): void
  /**
   * The user all further calls without a `userId` belong to (in browsers kept across reloads);
   * marks them seen. With `traits` (only the keys that changed; `null` removes one), queues an
   * `identify` event carrying them; also when `accountId` links the user to an account for the
   * first time. A call the same as the last one within the heartbeat interval sends nothing
   * again, so a page may identify on every load. Never throws.
   *
   * @example
   * tracker.identify('u_1', { accountId: 'acme', traits: { email: 'ann@acme.io', name: 'Ann' } })
   */
  identify(userId: string, options?: IdentifyOptions<UserTraits<Traits>>): void
  /**
   * Set an account's traits (only the keys that changed; `null` removes one): queues a `group`
   * event, sent with the identified user's id when there is one. Not activity: it marks no one
   * seen. Never throws.
   *
   * @example
   * tracker.group('acme', { name: 'Acme Inc', mrr: 490 })
   */
  group(accountId: string, traits: TraitsUpdate<AccountTraits<Traits>>): void
  /** Browsers: forget the identified user (sign-out). */
  reset(): void
  /** A handle bound to one user, for backends handling many users. */
  for(user: UserRef): ScopedTracker<Events, Traits>
  /** Mark a user (default: the identified one) as seen; at most once per heartbeat interval. */
  seen(userId?: string, options?: AccountOptions): void
  /** Send what is queued and wait for it and for requests in flight; settles within `timeoutMs`, never rejects. */
  flush(options?: FlushOptions): Promise<void>
  /** Flush, then stop timers, abort what is still open and remove listeners. Settles within `timeoutMs`. */
  shutdown(options?: FlushOptions): Promise<void>
  /** What the tracker did so far. */
  getStats(): TrackerStats
}

const EMPTY_STATS: TrackerStats = {
  queued: 0,
  inFlight: 0,
  sent: 0,
  duplicates: 0,
  retried: 0,
  dropped: 0,
  rejected: 0,
  failed: 0,
}

/** Build a tracker on `platform`; each runtime's entry calls this with its own hooks. */
export function buildTracker<Events extends EventMap<Events>, Traits extends TraitMap = AnyTraits>(
  platform: Platform,
  options: TrackerOptions,
): Tracker<Events, Traits> {
  let core: Core | undefined
  try {
    const resolved = resolveConfig(options, platform.defaults)
    if (resolved.problem !== undefined) {
      const error = new LastseenError('invalid_config', `tracker disabled: ${resolved.problem}`)
      console.error(error.message)
      try {
        options?.onError?.(error)
      } catch {}
    } else if (!resolved.config.disabled) {
      core = createCore(resolved.config, platform)
    }
  } catch (error) {
    console.error(`[lastseen] tracker disabled: ${String(error)}`)
  }

  const guard = (fn: (core: Core) => void) => {
    if (!core) return
    try {
      fn(core)
    } catch (error) {
      if (options.debug) console.error('[lastseen]', error)
    }
  }

  const tracker: Tracker<Events, Traits> = {
    // The hot path: no closure per call, unlike the other methods' `guard`.
    track(name: string, props?: Record<string, unknown>, context?: TrackContext) {
      if (!core) return
      try {
        core.track(name, props, context)
      } catch (error) {
        if (options.debug) console.error('[lastseen]', error)
      }
    },
    identify(userId, opts) {
      guard((c) => c.identify(userId, opts?.accountId, opts?.traits))
    },
    group(accountId, traits) {
      guard((c) => c.group(accountId, traits))
    },
    reset() {
      guard((c) => c.reset())
    },
    for(user) {
      const { userId, accountId } = user ?? ({} as UserRef)
      return {
        userId,
        accountId,
        track(name, ...[props, call]) {
          tracker.track(
            name,
            ...([props, { ...call, userId, accountId }] as TrackArgs<Events, typeof name>),
          )
        },
        seen() {
          tracker.seen(userId, accountId === undefined ? {} : { accountId })
        },
        identify(traits) {
          guard((c) => c.identifyEvent(userId, accountId, traits))
        },
      }
    },
    seen(userId, opts) {
      guard((c) => c.seen(userId, opts ?? {}))
    },
    async flush(opts) {
      if (core) await core.flush(opts).catch(() => undefined)
    },
    async shutdown(opts) {
      if (core) await core.shutdown(opts).catch(() => undefined)
    },
    getStats() {
      return core ? core.stats() : { ...EMPTY_STATS }
    },
  }
  return tracker
}
