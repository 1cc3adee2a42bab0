/**
 * @module
 * Segment's HTTP tracking API as lastseen reads it: the batch envelope and one message. Only the
 * fields lastseen maps are named; the rest (`integrations`, most of `context`) are dropped.
 * Segment's clients send `null` for what they do not know (`userId: null` while anonymous), so
 * every optional field also takes `null`.
 */
import { LIMITS } from '@lastseen/protocol'
import { z } from 'zod'

/** The message types of Segment's spec, each also the path of its single-message route. */
export const SEGMENT_TYPES = ['track', 'identify', 'group', 'page', 'screen', 'alias'] as const

/** One of {@link SEGMENT_TYPES}. */
export type SegmentType = (typeof SEGMENT_TYPES)[number]

/**
 * The short paths analytics.js (Segment's browser library) posts to: `/v1/` and the type's first
 * letter, and `/v1/b` for a batch.
 */
export const SHORT_PATHS: Record<SegmentType | 'batch', string> = {
  track: '/v1/t',
  identify: '/v1/i',
  group: '/v1/g',
  page: '/v1/p',
  screen: '/v1/s',
  alias: '/v1/a',
  batch: '/v1/b',
}

const timestamp = z.iso.datetime({ offset: true, message: 'must be ISO 8601' })

/** An id Segment's clients send as a string, some as a number. */
const someId = z
  .union([z.string(), z.number()])
  .transform(String)
  .nullish()
  .transform((v) => v ?? undefined)

const object = z.record(z.string(), z.unknown(), { message: 'must be a JSON object' })

/** A field sent as `null` is the same as one left out. */
const optional = <T extends z.ZodType>(schema: T) =>
  schema.nullish().transform((v) => v ?? undefined)

/** What a message's `context` holds for lastseen: the account of the event. */
const context = z.looseObject({ groupId: someId, traits: optional(object) })

/** One Segment message; `type` comes from the path on the single-message routes. */
export const segmentMessageSchema = z.object({
  type: z.enum(SEGMENT_TYPES, {
    message: `type must be one of ${SEGMENT_TYPES.map((t) => `'${t}'`).join(', ')}`,
  }),
  messageId: z
    .string({ message: 'messageId is required (lastseen counts a message once by it)' })
    .min(1, 'messageId must not be empty')
    .max(LIMITS.maxNameLength, `messageId is over ${LIMITS.maxNameLength} characters`),
  userId: someId,
  anonymousId: someId,
  timestamp: optional(timestamp),
  originalTimestamp: optional(timestamp),
  sentAt: optional(timestamp),
  event: optional(z.string()),
  name: optional(z.string()),
  category: optional(z.string()),
  groupId: someId,
  previousId: someId,
  properties: optional(object),
  traits: optional(object),
  context: optional(context),
})

/** A checked Segment message. */
export type SegmentMessage = z.output<typeof segmentMessageSchema>

/** The batch envelope; messages are checked one by one so a bad one does not sink the batch. */
export const segmentBatchSchema = z.object({
  // The 1,000-message limit is checked before this schema, so that it is answered with 413.
  batch: z
    .array(z.unknown(), { message: 'batch must be an array of messages' })
    .min(1, 'batch is empty'),
  writeKey: optional(z.string()),
  sentAt: optional(timestamp),
  /** Merged under each message's own `context`. */
  context: optional(z.looseObject({})),
})

/** What a single-message route's body carries besides the message. */
export const segmentSingleSchema = z.looseObject({ writeKey: optional(z.string()) })

/** The body of a single-message route as documented: one message, its type given by the path. */
export const segmentMessageRequestSchema = segmentMessageSchema.extend({
  type: segmentMessageSchema.shape.type
    .optional()
    .describe('Ignored: the path gives the type (`/v1/track` is `track`, and so on).'),
  writeKey: z.string().optional().describe('The write key, when not sent as `Authorization`.'),
})

/** The body of `POST /v1/batch` in Segment's wire as documented: the envelope with its messages. */
export const segmentBatchRequestSchema = segmentBatchSchema.extend({
  batch: z
    .array(segmentMessageSchema)
    .min(1)
    .max(LIMITS.maxBatchEvents)
    .describe(
      `1 to ${LIMITS.maxBatchEvents} messages (more: 413). Each is checked on its own: a bad one is counted in \`/metrics\` and logged, the others are stored.`,
    ),
})

/** The `200` answer of Segment's wire, as Segment's tracking API answers. */
export const segmentSuccessSchema = z.strictObject({ success: z.literal(true) })
