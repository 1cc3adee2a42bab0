/**
 * @module
 * `POST /v1/track`: one event, for curl and simple clients. Same body rules, auth and storage as
 * `POST /v1/batch`; since the event is the whole request, a bad event is a 400 (or 413) here
 * rather than an entry in `rejected`.
 */
import type { Context } from 'hono'
import { Hono } from 'hono'
import { BadRequest, PayloadTooLarge } from '../errors.js'
import { authenticateWrite } from '../http/auth.js'
import { writeCors } from '../http/cors.js'
import { ownOnly, type SharedPathDeps } from './batch.js'
import { checkEvent } from './event-check.js'
import { readWriteBody, stampReceived } from './request-body.js'
import { trackEnvelopeSchema } from './validation.js'
import { writeEvents } from './write-events.js'

function mustBeObject(json: unknown): void {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new BadRequest('body must be one event, a JSON object')
  }
}

/** The body's own fields (`writeKey`, `sentAt`), and the rest of it: the event. */
async function readTrack(c: Context) {
  const { json, envelope } = await readWriteBody(c, trackEnvelopeSchema, mustBeObject)
  const { writeKey: _key, sentAt: _sentAt, ...event } = json as Record<string, unknown>
  return { ...envelope, event }
}

export function trackRoutes(deps: SharedPathDeps) {
  return new Hono()
    .use('/v1/track', writeCors)
    .post(
      '/v1/track',
      stampReceived,
      deps.otherWire ?? ownOnly,
      authenticateWrite(deps.keys, readTrack),
      async (c) => {
        const { projectId, writeKey, body, receivedAt } = c.var
        deps.rateLimiter?.take(writeKey, 1)

        const event = checkEvent(body.event)
        if ('reason' in event) {
          throw event.tooLarge ? new PayloadTooLarge(event.reason) : new BadRequest(event.reason)
        }
        const answer = await writeEvents(
          deps,
          projectId,
          { valid: [{ index: 0, ...event }], rejected: [] },
          { sentAt: body.sentAt ?? receivedAt.toISOString(), receivedAt },
        )
        // Refused for its time (the late-event window): the one event is the whole request.
        const refused = answer.rejected[0]
        if (refused) throw new BadRequest(refused.reason)
        return c.json(answer)
      },
    )
}
