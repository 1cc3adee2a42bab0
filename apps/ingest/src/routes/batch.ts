/**
 * @module
 * `POST /v1/batch`: authenticate, validate each event, store the valid ones, and answer only
 * once they are stored.
 */
import type { BatchResponse, RejectedEvent, WireEvent } from '@lastseen/sdk/wire'
import { Hono } from 'hono'
import { ApiError } from '../http-error.js'
import type { KeyRing } from '../keys.js'
import { batchEnvelopeSchema, describeIssue, wireEventSchema } from '../validation.js'
import type { EventWriter } from '../writer.js'

export function batchRoutes(deps: { keys: KeyRing; writer: EventWriter }) {
  return new Hono().post('/v1/batch', async (c) => {
    let body: unknown
    try {
      body = JSON.parse(await c.req.text())
    } catch (err) {
      throw new ApiError(400, 'invalid_json', `body is not valid JSON: ${(err as Error).message}`)
    }
    const envelope = batchEnvelopeSchema.safeParse(body)
    if (!envelope.success) throw new ApiError(400, 'bad_request', describeIssue(envelope.error))

    const bearer = c.req.header('authorization')?.match(/^Bearer\s+(.+)$/i)?.[1]
    const key = bearer ?? envelope.data.writeKey
    if (!key) throw new ApiError(401, 'unauthorized', 'missing write key')
    const resolved = await deps.keys.resolve(key)
    if (resolved?.kind !== 'write') {
      throw new ApiError(401, 'unauthorized', 'unknown or revoked write key')
    }

    const valid: WireEvent[] = []
    const rejected: RejectedEvent[] = []
    envelope.data.batch.forEach((raw, index) => {
      const parsed = wireEventSchema.safeParse(raw)
      if (parsed.success) valid.push(parsed.data as WireEvent)
      else rejected.push({ index, reason: describeIssue(parsed.error) })
    })
    const stored = await deps.writer.write(resolved.projectId, valid, {
      sentAt: envelope.data.sentAt,
      receivedAt: new Date(),
    })
    const answer: BatchResponse = { ...stored, rejected }
    return c.json(answer)
  })
}
