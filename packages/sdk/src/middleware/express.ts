/**
 * @module
 * `@lastseen/sdk/express`: one line that marks each request's user as seen in an Express app, at
 * most once per user per heartbeat interval. It marks them when the response has been sent, so
 * whatever sets `req.user` has run and the response is not delayed.
 */
import type { Request, RequestHandler } from 'express'
import { markSeen, type SeenMiddlewareOptions } from './mark-seen.js'

export type { SeenMiddlewareOptions, SeenTracker } from './mark-seen.js'

/**
 * @example
 * app.use(lastseen({ tracker, userId: (req) => req.user?.id }))
 */
export function lastseen<Req extends Request = Request>(
  options: SeenMiddlewareOptions<Req>,
): RequestHandler {
  return (req, res, next) => {
    res.once('finish', () => void markSeen(options, req as Req))
    next()
  }
}
