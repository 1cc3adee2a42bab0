/**
 * @module
 * One PostHog event as lastseen events, which then go through the same checks and storage as
 * lastseen's own (`ingest/event-check.ts`, `ingest/write-events.ts`). What maps to what, and
 * why, is in docs/migrate.md ("From PostHog"):
 *
 * - `$identify` and `$set` → `identify` (traits from `$set`; `$set_once` is not stored);
 * - `$groupidentify` of the account group type → `group` (traits from `$group_set`);
 * - `$pageview` → track `page`, `$screen` → track `screen`, `$autocapture` and `$rageclick` →
 *   tracked under their names, `$pageleave` → `seen`, any name without `$` → tracked;
 * - other `$` events (flags, exceptions, web vitals, recordings…), aliases, and anonymous
 *   activity (`$process_person_profile: false`, `$is_identified: false`) → ignored;
 * - `$set` on any other event → an `identify` beside it.
 */
import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import { describeIssue } from '../../errors.js'
import { nameBasedEventId } from '../event-id.js'

const jsonObject = z.record(z.string(), z.unknown())

/** The fields of a PostHog event that are read; others are dropped. */
const posthogEventSchema = z.object(
  {
    event: z.string({ message: 'event must be a string' }).min(1, 'event must not be empty'),
    distinct_id: z.union([z.string(), z.number()]).optional(),
    properties: jsonObject.optional(),
    uuid: z.string().optional(),
    timestamp: z.string({ message: 'timestamp must be an ISO 8601 string' }).optional(),
    offset: z.number({ message: 'offset must be a number of milliseconds' }).optional(),
    $set: jsonObject.optional(),
  },
  { message: 'event must be a JSON object' },
)

type PostHogEvent = z.output<typeof posthogEventSchema>

/** What an event is read against. */
export interface EventContext {
  projectId: string
  /** The group type whose key is the account (`LASTSEEN_POSTHOG_ACCOUNT_GROUP`). */
  accountGroup: string
  /** The request's `sent_at`, or its receive time: what `offset` counts back from. */
  sentAt: string
}

/** The lastseen events a PostHog event comes to, or why it comes to none. */
export type Converted =
  | { events: Record<string, unknown>[] }
  | { ignored: string }
  | { rejected: string }

/** PostHog's own events that are a user's activity, and the name each is tracked under. */
const ACTIVITY = new Map([
  ['$pageview', 'page'],
  ['$screen', 'screen'],
  ['$autocapture', '$autocapture'],
  ['$rageclick', '$rageclick'],
])

/** Properties that say who or what the event is about, or carry the key: read, never stored. */
const CONTROL_PROPERTIES = new Set(['token', 'distinct_id', '$set', '$set_once', '$unset'])

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * The event's id: its `uuid` when that is a UUID (PostHog's clients send a UUIDv7), else a
 * name-based one of the `uuid` as sent, or, without one, of its distinct id, name and
 * `timestamp` (the same on every retry). With neither `uuid` nor `timestamp` nothing is stable
 * across retries, and the id is random.
 */
function eventId(e: PostHogEvent, distinctId: string, ctx: EventContext): string {
  if (e.uuid && UUID.test(e.uuid)) return e.uuid.toLowerCase()
  if (e.uuid) return nameBasedEventId('posthog', ctx.projectId, e.uuid)
  if (e.timestamp === undefined) return randomUUID()
  return nameBasedEventId(
    'posthog',
    ctx.projectId,
    `${distinctId}\u0000${e.event}\u0000${e.timestamp}`,
  )
}

/** `timestamp` as sent, or `offset` ms before the request's `sent_at` (PostHog's older clients). */
function eventTimestamp(e: PostHogEvent, ctx: EventContext): string | undefined {
  if (e.timestamp !== undefined) return e.timestamp
  if (e.offset === undefined) return undefined
  return new Date(Date.parse(ctx.sentAt) - e.offset).toISOString()
}

/** The traits of `$set`: top-level (`posthog-js`) over `properties.$set` (`posthog-node`). */
function setTraits(e: PostHogEvent): Record<string, unknown> {
  const inProperties = e.properties?.$set
  return { ...(isObject(inProperties) ? inProperties : {}), ...e.$set }
}

/** An event of a visitor PostHog itself keeps no person for, or not identified yet. */
function anonymous(properties: Record<string, unknown>): boolean {
  return properties.$process_person_profile === false || properties.$is_identified === false
}

/** The key of the account group in `$groups`, as text. */
function accountOf(properties: Record<string, unknown>, group: string): string | undefined {
  const groups = properties.$groups
  const key = isObject(groups) ? groups[group] : undefined
  return typeof key === 'string' || typeof key === 'number' ? String(key) : undefined
}

/** What `$groupidentify` comes to: a `group` of the account group type, or nothing. */
function groupEvent(
  e: PostHogEvent,
  base: { id: string; timestamp?: string },
  distinctId: string | undefined,
  ctx: EventContext,
): Converted {
  const properties = e.properties ?? {}
  const type = properties.$group_type
  const key = properties.$group_key
  if (type !== ctx.accountGroup) {
    return {
      ignored: `$groupidentify of group type ${JSON.stringify(type)}; accounts are ${JSON.stringify(ctx.accountGroup)} (LASTSEEN_POSTHOG_ACCOUNT_GROUP)`,
    }
  }
  if (typeof key !== 'string' && typeof key !== 'number') {
    return { rejected: '$group_key must be a string or a number' }
  }
  const traits = properties.$group_set
  if (traits !== undefined && !isObject(traits)) {
    return { rejected: '$group_set must be a JSON object' }
  }
  if (!traits || Object.keys(traits).length === 0)
    return { ignored: '$groupidentify without $group_set' }
  // posthog-node sends `$<type>_<key>` as the distinct id when no user is given: not a user.
  const user =
    distinctId !== undefined && distinctId !== `$${type}_${key}` && !anonymous(properties)
      ? { userId: distinctId }
      : {}
  return { events: [{ ...base, type: 'group', accountId: String(key), ...user, traits }] }
}

/** The lastseen events of one PostHog event (`raw`), read against `ctx`. */
export function convertEvent(raw: unknown, ctx: EventContext): Converted {
  const parsed = posthogEventSchema.safeParse(raw)
  if (!parsed.success) return { rejected: describeIssue(parsed.error) }
  const e = parsed.data
  const properties = e.properties ?? {}
  const rawDistinct = e.distinct_id ?? properties.distinct_id
  const distinctId =
    typeof rawDistinct === 'string' || typeof rawDistinct === 'number'
      ? String(rawDistinct)
      : undefined
  const id = eventId(e, distinctId ?? '', ctx)
  const timestamp = eventTimestamp(e, ctx)
  const base = { id, ...(timestamp === undefined ? {} : { timestamp }) }

  if (e.event === '$groupidentify') return groupEvent(e, base, distinctId, ctx)
  if (e.event === '$create_alias' || e.event === '$merge_dangerously') {
    return { ignored: `${e.event}: aliases are not merged` }
  }
  if (!distinctId) return { rejected: 'distinct_id is missing' }
  const accountId = accountOf(properties, ctx.accountGroup)
  const account = accountId === undefined ? {} : { accountId }
  const traits = setTraits(e)
  const identify = { ...base, type: 'identify', userId: distinctId, ...account, traits }

  // `$identify` names the identified user, whatever the anonymous flags of the page said.
  if (e.event === '$identify' || e.event === '$set') {
    if (e.event === '$set' && anonymous(properties))
      return { ignored: '$set of an anonymous visitor' }
    if (Object.keys(traits).length === 0) return { ignored: `${e.event} without $set` }
    return { events: [identify] }
  }

  const activity: Record<string, unknown> | undefined =
    e.event === '$pageleave'
      ? { ...base, type: 'seen', userId: distinctId, ...account }
      : !e.event.startsWith('$') || ACTIVITY.has(e.event)
        ? {
            ...base,
            type: 'track',
            event: ACTIVITY.get(e.event) ?? e.event,
            userId: distinctId,
            ...account,
            properties: Object.fromEntries(
              Object.entries(properties).filter(([k]) => !CONTROL_PROPERTIES.has(k)),
            ),
          }
        : undefined
  if (!activity) return { ignored: `${e.event} is PostHog's own event, not activity` }
  if (anonymous(properties)) return { ignored: `${e.event} of an anonymous visitor` }
  if (Object.keys(traits).length === 0) return { events: [activity] }
  // The traits get an id of their own, derived from the event's, so a retry repeats both.
  return {
    events: [
      activity,
      { ...identify, id: nameBasedEventId('posthog', ctx.projectId, `${id}/$set`) },
    ],
  }
}
