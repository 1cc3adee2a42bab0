/**
 * @module
 * The public tracker: typed `track()`, `identify()`, scoped handles, `seen()`, `flush()`,
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
  CallOptions,
  EventMap,
  TrackArgs,
  TrackContext,
  TrackerStats,
  UserRef,
} from './types.js'

/** A handle bound to one user, from `tracker.for({ userId, accountId })`. Cheap to create per request. */
export interface ScopedTracker<Events extends EventMap<Events>> {
  readonly userId: string
  readonly accountId: string | undefined
  /** Track event `name` for this user. */
  track<K extends keyof Events & string>(name: K, ...args: TrackArgs<Events, K, CallOptions>): void
  /** Mark this user as seen (at most once per heartbeat interval). */
  seen(): void
}

/** A tracker for an application's events. */
export interface Tracker<Events extends EventMap<Events>> {
  /**
   * Queue event `name` with its properties. Backends pass `{ userId, accountId }` per call;
   * browsers call `identify()` once. Also sends the user's heartbeat if it is due. Never throws.
   */
  track<K extends keyof Events & string>(name: K, ...args: TrackArgs<Events, K>): void
  /** Browsers: the user all further calls belong to (kept across reloads); marks them seen. */
  identify(userId: string, options?: AccountOptions): void
  /** Browsers: forget the identified user (sign-out). */
  reset(): void
  /** A handle bound to one user, for backends handling many users. */
  for(user: UserRef): ScopedTracker<Events>
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
export function buildTracker<Events extends EventMap<Events>>(
  platform: Platform,
  options: TrackerOptions,
): Tracker<Events> {
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

  const tracker: Tracker<Events> = {
    track(name, ...[props, context]) {
      guard((c) =>
        c.track(name, props as Record<string, unknown> | undefined, context as TrackContext),
      )
    },
    identify(userId, opts) {
      guard((c) => c.identify(userId, opts?.accountId))
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
