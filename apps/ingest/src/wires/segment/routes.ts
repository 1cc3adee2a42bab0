/**
 * @module
 * Segment's HTTP tracking API, so its clients (`@segment/analytics-node`, analytics.js,
 * RudderStack's) write to lastseen by changing their host: `POST /v1/batch` and `/v1/track`
 * (shared with lastseen's own protocol, told apart in `dispatch.ts`), `/v1/identify`,
 * `/v1/group`, `/v1/page`, `/v1/screen`, `/v1/alias`, and the short paths of analytics.js
 * (`/v1/t`, `/v1/b`, …). The write key comes as
 * `Authorization: Basic` (the key as user name, empty password) or as `writeKey` in the body.
 * Bodies are read, limited and stored exactly as lastseen's own: same body reader, key checks
 * and throttle, event checks, late-event window and group-commit writer.
 */
import type { Context } from 'hono'
import { Hono } from 'hono'
import { createMiddleware } from 'hono/factory'
import { BadRequest, PayloadTooLarge } from '../../errors.js'
import { authorizeWrite, basicKey, bearerKey } from '../../http/auth.js'
import { writeCors } from '../../http/cors.js'
import { checkEventCount, type OtherWire, type WriteRouteDeps } from '../../ingest/batch.js'
import { readWriteBody, stampReceived } from '../../ingest/request-body.js'
import { writeEvents } from '../../ingest/write-events.js'
import { reportMessages, SEGMENT_SUCCESS } from './answer.js'
import { isSegmentRequest } from './dispatch.js'
import { mapMessages } from './mapping.js'
import {
  SEGMENT_TYPES,
  type SegmentType,
  SHORT_PATHS,
  segmentBatchSchema,
  segmentSingleSchema,
} from './schema.js'

type Variables = { receivedAt: Date }

/**
 * The write key of the `Authorization` header: Segment's `Basic`, or lastseen's own `Bearer`
 * (on the shared paths a `Bearer` request never gets here: it is lastseen's own protocol).
 */
const headerKey = (header: string | undefined) => basicKey(header) ?? bearerKey(header)

/** The body as one message: a JSON object. */
function mustBeObject(json: unknown): void {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new BadRequest('body must be one message, a JSON object')
  }
}

/** Store the messages of a request the way lastseen's own are stored; the write's answer. */
async function storeMessages(
  deps: WriteRouteDeps,
  c: Context<{ Variables: Variables }>,
  read: (c: Context) => Promise<{
    writeKey?: string | undefined
    sentAt?: string | undefined
    messages: unknown[]
    context?: Record<string, unknown> | undefined
  }>,
  type?: SegmentType,
) {
  const { projectId, writeKey, body } = await authorizeWrite(c, deps.keys, read, headerKey)
  deps.rateLimiter?.take(writeKey, body.messages.length)
  const mapped = mapMessages(projectId, body.messages, {
    ...(type ? { type } : {}),
    context: body.context,
  })
  const receivedAt = c.var.receivedAt
  const stored = await writeEvents(deps, projectId, mapped, {
    // Segment's `sentAt` (the client's clock when it sent): corrects a skewed clock as lastseen's
    // own `sentAt` does. Without one, the receive time: no correction.
    sentAt: body.sentAt ?? mapped.sentAt ?? receivedAt.toISOString(),
    receivedAt,
  })
  reportMessages(deps.metrics, mapped, stored)
  return { mapped, stored }
}

/** Segment's clients send JSON; RudderStack's Node SDK labels it as a form. */
const SEGMENT_BODY = { formAsJson: true }

const readBatch = async (c: Context) => {
  const { envelope } = await readWriteBody(c, segmentBatchSchema, checkEventCount, SEGMENT_BODY)
  return { ...envelope, messages: envelope.batch }
}

/** `POST /v1/batch` in Segment's wire: messages refused one by one are counted and logged. */
const batch = (deps: WriteRouteDeps) => async (c: Context<{ Variables: Variables }>) => {
  await storeMessages(deps, c, readBatch)
  return c.json(SEGMENT_SUCCESS)
}

/** A single-message route: its message refused is the whole request refused, 400 or 413. */
const single = (deps: WriteRouteDeps, type: SegmentType) => {
  const read = async (c: Context) => {
    const { json, envelope } = await readWriteBody(
      c,
      segmentSingleSchema,
      mustBeObject,
      SEGMENT_BODY,
    )
    return { writeKey: envelope.writeKey, messages: [json] }
  }
  return async (c: Context<{ Variables: Variables }>) => {
    const { mapped, stored } = await storeMessages(deps, c, read, type)
    const refused = stored.rejected[0]
    if (refused) {
      throw mapped.tooLarge.has(0)
        ? new PayloadTooLarge(refused.reason)
        : new BadRequest(refused.reason)
    }
    return c.json(SEGMENT_SUCCESS)
  }
}

/** Answers Segment's requests on a path lastseen's own protocol shares; passes the others on. */
const onSharedPath = (handle: (c: Context<{ Variables: Variables }>) => Promise<Response>) =>
  createMiddleware<{ Variables: Variables }>(async (c, next) => {
    if (!(await isSegmentRequest(c))) return next()
    return handle(c)
  }) satisfies OtherWire

/** Segment's wire: its own routes, and what answers it on the shared paths. */
export function segmentWire(deps: WriteRouteDeps) {
  const routes = new Hono<{ Variables: Variables }>()
  const route = (path: string, handle: ReturnType<typeof single>) =>
    routes.use(path, writeCors).post(path, stampReceived, handle)
  for (const type of ['identify', 'group', 'page', 'screen', 'alias'] as const) {
    route(`/v1/${type}`, single(deps, type))
  }
  for (const type of SEGMENT_TYPES) route(SHORT_PATHS[type], single(deps, type))
  route(SHORT_PATHS.batch, batch(deps))
  return {
    routes,
    batch: onSharedPath(batch(deps)),
    track: onSharedPath(single(deps, 'track')),
  }
}
