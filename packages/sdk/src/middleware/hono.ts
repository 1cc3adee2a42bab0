/**
 * @module
 * Hono middleware: marks the request's user as seen once the request is handled (so an auth
 * middleware registered before or after it has already run).
 */
import type { Context, Env, MiddlewareHandler } from 'hono'
import { markSeen, type SeenMiddlewareOptions } from './mark-seen.js'

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
