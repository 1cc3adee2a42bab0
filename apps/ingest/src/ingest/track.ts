/**
 * @module
 * `POST /v1/track`: one event, for curl and simple clients. Same body rules, auth and storage as
 * `POST /v1/batch`; since the event is the whole request, a bad event is a 400 (or 413) here
 * rather than an entry in `rejected`.
 */
import { Hono } from 'hono'
import { BadRequest, PayloadTooLarge } from '../errors.js'
import { readWrite } from '../http/auth.js'
import { clientAddress } from '../http/client-address.js'
import { writeCors } from '../http/cors.js'
import type { WriteRouteDeps } from './batch.js'
import { checkEvent } from './event-check.js'
import { trackEnvelopeSchema } from './validation.js'
import { storeEvents } from './write-events.js'

export function trackRoutes(deps: WriteRouteDeps) {
  return new Hono().use('/v1/track', writeCors).post('/v1/track', async (c) => {
    const { receivedAt, body, envelope, key, projectId } = await readWrite(
      c.req.raw,
      deps.keys,
      clientAddress(c),
      trackEnvelopeSchema,
      (parsed) => {
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
          throw new BadRequest('body must be one event, a JSON object')
        }
      },
    )
    deps.rateLimiter?.take(key, 1)

    const { writeKey: _key, sentAt: _sentAt, ...raw } = body as Record<string, unknown>
    const event = checkEvent(raw)
    if ('reason' in event) {
      throw event.tooLarge ? new PayloadTooLarge(event.reason) : new BadRequest(event.reason)
    }
    const answer = await storeEvents(
      deps,
      projectId,
      { valid: [{ index: 0, ...event }], rejected: [] },
      {
        sentAt: envelope.sentAt ?? receivedAt.toISOString(),
        receivedAt,
      },
    )
    // Refused for its time (the late-event window): the one event is the whole request.
    const refused = answer.rejected[0]
    if (refused) throw new BadRequest(refused.reason)
    return c.json(answer)
  })
}
