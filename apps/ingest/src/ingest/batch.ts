/**
 * @module
 * `POST /v1/batch`: read the body (JSON or gzip, within the limits), authenticate, check each
 * event on its own, store the valid ones, and answer only once they are stored.
 */
import { LIMITS } from '@lastseen/protocol'
import type { Context, MiddlewareHandler } from 'hono'
import { Hono } from 'hono'
import { createMiddleware } from 'hono/factory'
import { PayloadTooLarge } from '../errors.js'
import { authenticateWrite } from '../http/auth.js'
import { writeCors } from '../http/cors.js'
import type { KeyRing } from '../keys/key-ring.js'
import { checkEvents } from './event-check.js'
import type { RateLimiter } from './rate-limit.js'
import { readWriteBody, stampReceived } from './request-body.js'
import { batchEnvelopeSchema } from './validation.js'
import { type WriteDeps, writeEvents } from './write-events.js'

/** What the write routes need. */
export interface WriteRouteDeps extends WriteDeps {
  keys: KeyRing
  /** Per-key limit; none when omitted. */
  rateLimiter?: RateLimiter | undefined
}

/**
 * Answers the requests of another wire that shares the route's path (Segment's `/v1/batch` and
 * `/v1/track`), and passes lastseen's own on with `next()`. Runs after `stampReceived`.
 */
export type OtherWire = MiddlewareHandler<{ Variables: { receivedAt: Date } }>

/** What `batchRoutes` and `trackRoutes` need: also the other wire on their path. */
export interface SharedPathDeps extends WriteRouteDeps {
  /** Tried before lastseen's own protocol; none when omitted. */
  otherWire?: OtherWire | undefined
}

/** No other wire: every request is lastseen's own. */
export const ownOnly: OtherWire = createMiddleware(async (_c, next) => {
  await next()
})

/** 413 before schema checks, so an oversized batch is never answered as a plain 400. */
export function checkEventCount(json: unknown): void {
  const batch = (json as { batch?: unknown } | null)?.batch
  if (Array.isArray(batch) && batch.length > LIMITS.maxBatchEvents) {
    throw new PayloadTooLarge(
      `batch has ${batch.length} events; the limit is ${LIMITS.maxBatchEvents} events per request`,
    )
  }
}

const readBatch = async (c: Context) =>
  (await readWriteBody(c, batchEnvelopeSchema, checkEventCount)).envelope

export function batchRoutes(deps: SharedPathDeps) {
  return new Hono()
    .use('/v1/batch', writeCors)
    .post(
      '/v1/batch',
      stampReceived,
      deps.otherWire ?? ownOnly,
      authenticateWrite(deps.keys, readBatch),
      async (c) => {
        const { projectId, writeKey, body: envelope, receivedAt } = c.var
        deps.rateLimiter?.take(writeKey, envelope.batch.length)

        if (envelope.dropped) deps.metrics?.clientDroppedEvents(envelope.dropped)
        const checked = checkEvents(envelope.batch)
        const answer = await writeEvents(deps, projectId, checked, {
          sentAt: envelope.sentAt,
          receivedAt,
        })
        return c.json(answer)
      },
    )
}
