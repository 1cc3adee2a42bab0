/**
 * @module
 * `@lastseen/sdk/fastify`: one hook that marks each request's user as seen in a Fastify app, at
 * most once per user per heartbeat interval. It runs once the response is sent (`onResponse`),
 * after every `preHandler` that authenticates has run.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { markSeen, type SeenMiddlewareOptions } from './mark-seen.js'

export type { SeenMiddlewareOptions, SeenTracker } from './mark-seen.js'

/**
 * @example
 * app.addHook('onResponse', lastseen({ tracker, userId: (request) => request.user?.id }))
 */
export function lastseen<Req extends FastifyRequest = FastifyRequest>(
  options: SeenMiddlewareOptions<Req>,
): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return (request) => markSeen(options, request as Req)
}
