/**
 * @module
 * Which wire a request on a shared path (`POST /v1/batch`, `POST /v1/track`) speaks. Segment's:
 * - when its `Authorization` header is `Basic` (how Segment's clients send the write key);
 * - when it has no `Authorization` header and its body carries a field that only Segment's
 *   messages have, `messageId` or `anonymousId`: on the body itself, or on a message of its
 *   `batch` array.
 * Anything else is lastseen's own protocol, whose events never carry those fields, and whose
 * clients send `Authorization: Bearer` or `writeKey` in the body: its answers are unchanged.
 */
import type { Context } from 'hono'
import { readWriteJson } from '../../ingest/request-body.js'

/** Fields of Segment's messages that lastseen's events do not have. */
const SEGMENT_FIELDS = ['messageId', 'anonymousId'] as const

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const hasSegmentField = (v: unknown): boolean =>
  isObject(v) && SEGMENT_FIELDS.some((field) => Object.hasOwn(v, field))

/** Whether a parsed body is Segment's: the body, or a message of its `batch`, has a Segment field. */
export function looksLikeSegment(json: unknown): boolean {
  if (hasSegmentField(json)) return true
  const batch = isObject(json) ? json.batch : undefined
  return Array.isArray(batch) && batch.some(hasSegmentField)
}

/**
 * Whether a request on a shared path is Segment's. The body is read (once: the route that
 * answers reuses it) only when the `Authorization` header does not decide.
 */
export async function isSegmentRequest(c: Context): Promise<boolean> {
  const auth = c.req.header('authorization')?.trim()
  if (auth) return /^Basic\s/i.test(auth)
  return looksLikeSegment(await readWriteJson(c))
}
