/**
 * @module
 * The bodies PostHog's clients send to its capture routes, and the one shape they come to: the
 * key, the client's send time and the events. `posthog-node` and today's `posthog-js` send
 * `{ api_key, batch, sent_at }`; a single event `{ api_key, event, distinct_id, … }` and a bare
 * array of events (older `posthog-js`, whose events carry the key as `properties.token`) are
 * read too. Each event is checked on its own (`event.ts`), so one bad event does not sink the
 * batch.
 */
import { LIMITS } from '@lastseen/protocol'
import { z } from 'zod'
import { PayloadTooLarge } from '../../errors.js'

const key = z.string().max(LIMITS.maxNameLength, 'api_key is too long').optional()
const sentAt = z.iso
  .datetime({ offset: true, message: 'sent_at must be ISO 8601 with a time zone' })
  .optional()

/**
 * The body of the PostHog capture routes: `{ api_key, batch, sent_at }`, one event with the key
 * beside it, or a bare array of events (read as `batch`).
 */
export const posthogBodySchema = z.preprocess(
  (json) => (Array.isArray(json) ? { batch: json } : json),
  z
    .looseObject(
      {
        api_key: key,
        token: key,
        batch: z
          .array(z.unknown(), { message: 'batch must be an array of events' })
          .min(1, 'batch is empty')
          .optional(),
        event: z.string({ message: 'event must be a string' }).optional(),
        sent_at: sentAt,
      },
      { message: 'body must be a JSON object or an array of events' },
    )
    .refine((body) => body.batch !== undefined || body.event !== undefined, {
      message: 'body must have a batch of events, or be one event (event, distinct_id, properties)',
    }),
)

/** One PostHog event as documented: the fields read (`event.ts` checks each on its own). */
const documentedEvent = z.object({
  event: z
    .string()
    .describe(
      'The event name: `$pageview` is stored as `page`, `$identify` and `$set` set user traits, `$groupidentify` account traits; other `$` events are ignored (docs/migrate.md).',
    ),
  distinct_id: z.union([z.string(), z.number()]).describe('The user (`userId`).'),
  uuid: z
    .string()
    .optional()
    .describe('The event id; not a UUID, or absent: a name-based id (docs/migrate.md).'),
  timestamp: z.string().optional().describe('When it happened, ISO 8601 (client clock).'),
  offset: z
    .number()
    .optional()
    .describe('Without `timestamp`: it happened this many ms before `sent_at`.'),
  properties: z
    .record(z.string(), z.unknown())
    .optional()
    .describe(
      'Stored as the event properties, except `token`, `distinct_id`, `$set`, `$set_once`, `$unset`; `$groups.<LASTSEEN_POSTHOG_ACCOUNT_GROUP>` is the account.',
    ),
  $set: z.record(z.string(), z.unknown()).optional().describe('User traits to set.'),
})

/** The body of the PostHog capture routes as documented (the usual of its three shapes). */
export const posthogRequestSchema = z.object({
  api_key: z
    .string()
    .optional()
    .describe("The write key (PostHog's project token); or `Authorization: Bearer`."),
  batch: z
    .array(documentedEvent)
    .min(1)
    .max(LIMITS.maxBatchEvents)
    .describe(
      `1 to ${LIMITS.maxBatchEvents} events (more: 413). The body may also be one event with \`api_key\` beside its fields, or an array of events carrying \`properties.token\`.`,
    ),
  sent_at: z
    .string()
    .optional()
    .describe('When the client sent the request, ISO 8601: corrects large clock skew.'),
})

/** What every accepted body comes to. */
export interface PostHogRequest {
  /** The write key (PostHog's project token); `undefined` when the body has none. */
  writeKey: string | undefined
  /** `sent_at` of the request (client clock), when it sent one. */
  sentAt: string | undefined
  events: unknown[]
}

/** 413 before the schema, so an oversized batch is not answered as a plain 400. */
export function checkPostHogEventCount(json: unknown): void {
  const batch = Array.isArray(json) ? json : (json as { batch?: unknown } | null)?.batch
  if (Array.isArray(batch) && batch.length > LIMITS.maxBatchEvents) {
    throw new PayloadTooLarge(
      `batch has ${batch.length} events; the limit is ${LIMITS.maxBatchEvents} events per request`,
    )
  }
}

/** The key an event carries itself (`api_key`, `token` or `properties.token`). */
function eventKey(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null) return undefined
  const { api_key, token, properties } = event as Record<string, unknown>
  const own = (properties as { token?: unknown } | undefined)?.token
  for (const candidate of [api_key, token, own]) {
    if (typeof candidate === 'string' && candidate) return candidate
  }
  return undefined
}

/** The one shape of a parsed body; without a key of its own, the first event's key. */
export function normalizePostHogBody(body: z.output<typeof posthogBodySchema>): PostHogRequest {
  const events = body.batch ?? [body]
  return {
    writeKey: body.api_key || body.token || eventKey(events[0]),
    sentAt: body.sent_at,
    events,
  }
}
