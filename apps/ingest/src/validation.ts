/**
 * @module
 * Schemas of the wire protocol. Each one `satisfies` the SDK's wire type, so server and SDK
 * cannot drift apart.
 */
import type { BatchRequest, WireSeenEvent, WireTrackEvent } from '@lastseen/sdk/wire'
import { z } from 'zod'

const id = z.uuid({ message: 'id must be a UUID' })
const userId = z
  .string()
  .min(1, 'userId must not be empty')
  .max(200, 'userId is over 200 characters')
const accountId = z.string().min(1).max(200, 'accountId is over 200 characters')
const timestamp = z.iso.datetime({ offset: true, message: 'timestamp must be ISO 8601' })

export const trackEventSchema = z.object({
  id,
  type: z.literal('track'),
  event: z.string().min(1, 'event must not be empty').max(200, 'event is over 200 characters'),
  userId,
  accountId: accountId.optional(),
  timestamp: timestamp.optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
  count: z.number().int().min(1).max(1_000_000).optional(),
}) satisfies z.ZodType<WireTrackEvent>

export const seenEventSchema = z.object({
  id,
  type: z.literal('seen'),
  userId,
  accountId: accountId.optional(),
  timestamp: timestamp.optional(),
}) satisfies z.ZodType<WireSeenEvent>

export const wireEventSchema = z.discriminatedUnion('type', [trackEventSchema, seenEventSchema], {
  message: "type must be 'track' or 'seen'",
})

/** The envelope; events are validated one by one so a bad event does not sink the batch. */
export const batchEnvelopeSchema = z.object({
  sentAt: timestamp,
  // The 1,000-event limit is checked before this schema, so that it is answered with 413.
  batch: z.array(z.unknown()).min(1, 'batch is empty'),
  writeKey: z.string().optional(),
  dropped: z.number().int().min(0).optional(),
  library: z.object({ name: z.string().max(100), version: z.string().max(50) }).optional(),
}) satisfies z.ZodType<Omit<BatchRequest, 'batch'> & { batch: unknown[] }>

/**
 * What `POST /v1/track` carries besides its one event (`TrackRequest`'s own fields; the event is
 * checked with `wireEventSchema`).
 */
export const trackEnvelopeSchema = z.object({
  writeKey: z.string().optional(),
  sentAt: timestamp.optional(),
})

/** The first problem of a failed parse, as "path: message". */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]
  if (!issue) return 'invalid'
  const path = issue.path.join('.')
  return path ? `${path}: ${issue.message}` : issue.message
}
