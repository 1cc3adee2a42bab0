/**
 * @module
 * What every middleware does once a request is answered: ask the app who the user is, and mark
 * them seen. The tracker sends at most one heartbeat per user per interval, so this is cheap on
 * every request; nothing it does can fail the request.
 */
import type { AccountOptions } from '../types.js'

/** The part of a tracker the middleware needs. */
export interface SeenTracker {
  seen(userId?: string, options?: AccountOptions): void
}

type Maybe<T> = T | null | undefined | Promise<T | null | undefined>

/** Options of every `lastseen()` middleware; `Ctx` is the framework's request or context. */
export interface SeenMiddlewareOptions<Ctx> {
  /** The tracker to report to. */
  tracker: SeenTracker
  /** The request's user, or nothing for anonymous requests (which are skipped). */
  userId: (ctx: Ctx) => Maybe<string>
  /** The user's account, if any. */
  accountId?: (ctx: Ctx) => Maybe<string>
  /** Called if `userId` or `accountId` throws; the request is never affected. */
  onError?: (error: unknown) => void
}

export async function markSeen<Ctx>(options: SeenMiddlewareOptions<Ctx>, ctx: Ctx): Promise<void> {
  try {
    const userId = await options.userId(ctx)
    if (typeof userId !== 'string' || userId === '') return
    const accountId = await options.accountId?.(ctx)
    options.tracker.seen(userId, typeof accountId === 'string' ? { accountId } : {})
  } catch (error) {
    try {
      options.onError?.(error)
    } catch {}
  }
}
