/**
 * @module
 * `@lastseen/sdk/hono`: one line that marks each request's user as seen in a Hono app, at most
 * once per user per heartbeat interval. It marks them once the request is handled, so an auth
 * middleware registered before or after it has already run.
 */
import type { Context, Env, MiddlewareHandler } from 'hono'
import { markSeen, type SeenMiddlewareOptions } from './mark-seen.js'

export type { SeenMiddlewareOptions, SeenTracker } from './mark-seen.js'

/**
 * @example
 * app.use(lastseen({ tracker, userId: (c) => c.get('user')?.id }))
 */
export function lastseen<E extends Env = Env>(
  options: SeenMiddlewareOptions<Context<E>>,
): MiddlewareHandler<E> {
  return async (c, next) => {
    await next()
    await markSeen(options, c)
  }
}
