/**
 * @module
 * Fastify hook: marks the request's user as seen once the response is sent (`onResponse`), after
 * every `preHandler` that authenticates has run.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { markSeen, type SeenMiddlewareOptions } from './mark-seen.js'

/**
 * @example
 * app.addHook('onResponse', lastseen({ tracker, userId: (request) => request.user?.id }))
 */
export function lastseen<Req extends FastifyRequest = FastifyRequest>(
  options: SeenMiddlewareOptions<Req>,
): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return (request) => markSeen(options, request as Req)
}
