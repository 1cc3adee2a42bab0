/**
 * @module
 * Schemas of the wire protocol. Each one `satisfies` its wire type in `@lastseen/protocol`, so
 * server and SDK cannot drift apart. Next to them, `checkWireEvent`'s hand-written fast path:
 * zod costs several times more per event, and a parity test keeps the two in agreement.
 */
import {
  type BatchRequest,
  type BatchResponse,
  LIMITS,
  type TrackRequest,
  type WireEvent,
  type WireGroupEvent,
  type WireIdentifyEvent,
  type WireSeenEvent,
  type WireTrackEvent,
} from '@lastseen/protocol'
import { z } from 'zod'
import { describeIssue } from '../errors.js'

const id = z.uuid({ message: 'id must be a UUID' })

/** A lone surrogate: in `u` mode a pair is one code point, so only unpaired halves match. */
const LONE_SURROGATE = /\p{Cs}/u

/** Text that is well-formed UTF-16; lone surrogates would all be stored as U+FFFD and merge. */
export const wellFormed = (text: string): boolean => !LONE_SURROGATE.test(text)

const notWellFormed = (name: string) =>
  `${name} is not well-formed UTF-16 (it holds a lone surrogate such as \\ud800)`

const userId = z
  .string()
  .min(1, 'userId must not be empty')
  .max(LIMITS.maxNameLength, `userId is over ${LIMITS.maxNameLength} characters`)
  .refine(wellFormed, notWellFormed('userId'))
const accountId = z
  .string()
  .min(1)
  .max(LIMITS.maxNameLength, `accountId is over ${LIMITS.maxNameLength} characters`)
  .refine(wellFormed, notWellFormed('accountId'))
const timestamp = z.iso.datetime({ offset: true, message: 'timestamp must be ISO 8601' })

const trackEventSchema = z.object({
  id,
  type: z.literal('track'),
  event: z
    .string()
    .min(1, 'event must not be empty')
    .max(LIMITS.maxNameLength, `event is over ${LIMITS.maxNameLength} characters`)
    .refine(wellFormed, notWellFormed('event')),
  userId,
  accountId: accountId.optional(),
  timestamp: timestamp.optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
  count: z.number().int().min(1).max(LIMITS.maxCount).optional(),
}) satisfies z.ZodType<WireTrackEvent>

const seenEventSchema = z.object({
  id,
  type: z.literal('seen'),
  userId,
  accountId: accountId.optional(),
  timestamp: timestamp.optional(),
}) satisfies z.ZodType<WireSeenEvent>

/** A JSON object; its keys, size and depth are checked in `event-check.ts`. */
const traits = z.record(z.string(), z.unknown(), { message: 'traits must be a JSON object' })

const identifyEventSchema = z.object({
  id,
  type: z.literal('identify'),
  userId,
  accountId: accountId.optional(),
  timestamp: timestamp.optional(),
  traits,
}) satisfies z.ZodType<WireIdentifyEvent>

const groupEventSchema = z.object({
  id,
  type: z.literal('group'),
  accountId,
  userId: userId.optional(),
  timestamp: timestamp.optional(),
  traits,
}) satisfies z.ZodType<WireGroupEvent>

export const wireEventSchema = z.discriminatedUnion(
  'type',
  [trackEventSchema, seenEventSchema, identifyEventSchema, groupEventSchema],
  { message: "type must be 'track', 'seen', 'identify' or 'group'" },
) satisfies z.ZodType<WireEvent>

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
}) satisfies z.ZodType<Pick<TrackRequest, 'writeKey' | 'sentAt'>>

/**
 * The body of `POST /v1/batch` as documented: the envelope with its events. The route checks the
 * envelope with `batchEnvelopeSchema` and each event on its own, so this schema only documents.
 */
export const batchRequestSchema = batchEnvelopeSchema.extend({
  batch: z
    .array(wireEventSchema)
    .min(1)
    .max(LIMITS.maxBatchEvents)
    .describe(
      `1 to ${LIMITS.maxBatchEvents} events (more: 413). Each is checked on its own: a bad one is listed in \`rejected\`, the others are stored.`,
    ),
}) satisfies z.ZodType<BatchRequest>

/** The body of `POST /v1/track` as documented: one event and the envelope's own fields. */
export const trackRequestSchema = z.intersection(
  wireEventSchema,
  trackEnvelopeSchema,
) satisfies z.ZodType<TrackRequest>

/** The `200` answer of both write routes. */
export const batchResponseSchema = z.strictObject({
  accepted: z.number().int().min(0).describe('Events stored by this request.'),
  duplicates: z
    .number()
    .int()
    .min(0)
    .describe('Events already stored by an earlier request (same `id`); not counted again.'),
  rejected: z
    .array(
      z.strictObject({
        index: z.number().int().min(0).describe('Position of the event in `batch`.'),
        reason: z.string().describe('What is wrong with it, for a person to read.'),
      }),
    )
    .describe('Events refused one by one; they will never be stored, so they must not be retried.'),
}) satisfies z.ZodType<BatchResponse>

const UUID = id.def.pattern
const ISO_DATETIME = timestamp.def.pattern
const TRACK_OUTPUT_KEYS = ['accountId', 'timestamp', 'properties', 'count'] as const

/** Within the 1 to `LIMITS.maxNameLength` characters of an event name or id. */
const nameLength = (text: string): boolean =>
  text.length >= 1 && text.length <= LIMITS.maxNameLength

const plainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' &&
  v !== null &&
  Object.getPrototypeOf(v) === Object.prototype &&
  !Object.hasOwn(v, '__proto__')

/**
 * The usual event, checked by the same rules as `wireEventSchema` in plain code (zod costs
 * several times more per event), with unknown fields dropped as zod drops them. `undefined`
 * when not sure: then `wireEventSchema` decides, and names the problem. `identify` and `group`
 * are rare (once per sign-in, not per action), so zod alone checks them.
 */
function quickWireEvent(raw: unknown): WireTrackEvent | WireSeenEvent | undefined {
  if (!plainObject(raw)) return undefined
  const { id, type, userId, accountId, timestamp } = raw
  if (typeof id !== 'string' || !UUID?.test(id)) return undefined
  if (typeof userId !== 'string' || !nameLength(userId)) return undefined
  if (!wellFormed(userId)) return undefined
  if (
    accountId !== undefined &&
    (typeof accountId !== 'string' || !nameLength(accountId) || !wellFormed(accountId))
  ) {
    return undefined
  }
  if (timestamp !== undefined && (typeof timestamp !== 'string' || !ISO_DATETIME?.test(timestamp)))
    return undefined
  if (type === 'seen') {
    const seen: WireSeenEvent = { id, type, userId }
    if (accountId !== undefined) seen.accountId = accountId
    if (timestamp !== undefined) seen.timestamp = timestamp
    return seen
  }
  if (type !== 'track') return undefined
  const { event, properties, count } = raw
  if (typeof event !== 'string' || !nameLength(event)) return undefined
  if (!wellFormed(event)) return undefined
  if (properties !== undefined && !plainObject(properties)) return undefined
  if (
    count !== undefined &&
    !(
      typeof count === 'number' &&
      Number.isSafeInteger(count) &&
      count >= 1 &&
      count <= LIMITS.maxCount
    )
  ) {
    return undefined
  }
  const track: WireTrackEvent = { id, type, event, userId }
  for (const key of TRACK_OUTPUT_KEYS) {
    if (raw[key] !== undefined) (track as unknown as Record<string, unknown>)[key] = raw[key]
  }
  return track
}

/**
 * One wire event, checked against `wireEventSchema`: the event as the schema outputs it, or
 * the first problem as "path: message".
 */
export function checkWireEvent(raw: unknown): { event: WireEvent } | { reason: string } {
  const quick = quickWireEvent(raw)
  if (quick) return { event: quick }
  const parsed = wireEventSchema.safeParse(raw)
  if (!parsed.success) return { reason: describeIssue(parsed.error) }
  return { event: parsed.data }
}

/**
 * Whether `value` nests objects and arrays more than `max` levels deep (`value` itself is level
 * 1). Walked with an explicit stack, so no depth can overflow the call stack; stops at the
 * first node past the limit.
 */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]]
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [node, depth] = top
    if (typeof node !== 'object' || node === null) continue
    if (depth > max) return true
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      stack.push([child, depth + 1])
    }
  }
  return false
}
