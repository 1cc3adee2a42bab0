/**
 * @module
 * Everything stored about one user, as lines of JSON (`GET /v1/users/:userId/export`,
 * `lastseen-ingest users export`). Each line is an object with a `type`:
 *
 * - `profile`: the answer of `GET /v1/users/:userId` (first and last seen, account, activity,
 *   current traits);
 * - `trait`: every stored value of each of the user's traits, with its time (`value: null`: the
 *   trait was removed then);
 * - `account`: an account the user's events carried, with the first and last time they did;
 * - `day`: a UTC day the user was active (any event or heartbeat), its account and track events;
 * - `event_count`: per day and event name, how many of the user's track events there are (kept
 *   after raw events expire under `LASTSEEN_EVENTS_TTL`);
 * - `event`: a raw track event as stored, properties included;
 * - `notification`: an inactivity notification about the user, with the body it was sent with.
 *
 * Rows are read a page at a time and written out as they come, so an export of any size holds
 * one page in memory.
 */

import { z } from 'zod'
import { countSchema, timeSchema } from '../insights/activity.js'
import { type UserProfile, userProfileSchema } from '../insights/users.js'
import type { Storage } from '../storage/client.js'
import { clientTimestamp } from '../storage/migrations/0009-compact-storage.js'
import { rows } from '../storage/query.js'
import { isoTime } from '../storage/time.js'

/** A stored time; null only when none was stored (`clientTimestamp` of an event without one). */
const storedTime = timeSchema.nullable()

/** Schema of one line of the export, by its `type`, as documented in the OpenAPI document. */
export const exportLineSchema = z.discriminatedUnion('type', [
  userProfileSchema.extend({ type: z.literal('profile') }),
  z.strictObject({
    type: z.literal('trait'),
    key: z.string(),
    value: z.unknown().describe('The value set then; null: the trait was removed then.'),
    at: storedTime,
  }),
  z.strictObject({
    type: z.literal('account'),
    accountId: z.string(),
    firstSeen: storedTime,
    lastSeen: storedTime,
  }),
  z.strictObject({
    type: z.literal('day'),
    date: z.iso.date(),
    accountId: z.string().nullable(),
    events: countSchema.describe('Track events that day.'),
  }),
  z.strictObject({
    type: z.literal('event_count'),
    date: z.iso.date(),
    event: z.string(),
    count: countSchema,
  }),
  z.strictObject({
    type: z.literal('event'),
    id: z.uuid(),
    event: z.string(),
    accountId: z.string().nullable(),
    timestamp: storedTime,
    clientTimestamp: storedTime,
    sentAt: storedTime,
    receivedAt: storedTime,
    properties: z.unknown(),
    count: z.number().int().min(1),
    flags: countSchema,
  }),
  z.strictObject({
    type: z.literal('notification'),
    id: z.string(),
    kind: z.string(),
    episode: countSchema,
    state: z.string(),
    claimedAt: storedTime,
    body: z.unknown().describe('The body the notification was sent with.'),
  }),
])

/** One line of the export. */
export type ExportLine = z.output<typeof exportLineSchema>

/** Rows read per query while exporting raw events. */
const EVENT_PAGE = 5000

type Params = { project: string; user: string }

/** The lines of the export of a user whose profile is `profile`. */
export async function* exportUser(
  storage: Storage,
  projectId: string,
  profile: UserProfile,
  /** Raw events read per query. */
  pageSize = EVENT_PAGE,
): AsyncGenerator<ExportLine> {
  const params: Params = { project: projectId, user: profile.userId }
  yield { type: 'profile', ...profile }

  for (const t of await rows<{ k: string; v: string | null; t: string }>(
    storage,
    `SELECT key AS k, value AS v, timestamp AS t FROM {db}.traits FINAL
     WHERE project_id = {project:String} AND subject = 'user' AND subject_id = {user:String}
     ORDER BY k, t, id`,
    params,
  )) {
    yield {
      type: 'trait',
      key: t.k,
      value: t.v === null ? null : JSON.parse(t.v),
      at: isoTime(t.t),
    }
  }

  for (const a of await rows<{ a: string; f: string; l: string }>(
    storage,
    `SELECT account_id AS a, min(first_seen) AS f, max(last_seen) AS l FROM {db}.account_users
     WHERE project_id = {project:String} AND user_id = {user:String}
     GROUP BY account_id ORDER BY f, a`,
    params,
  )) {
    yield { type: 'account', accountId: a.a, firstSeen: isoTime(a.f), lastSeen: isoTime(a.l) }
  }

  // A day's events are the sum of its per-name counts: an event has one name.
  const counts = await rows<{ d: string; e: string; n: string }>(
    storage,
    `SELECT toString(day) AS d, event AS e, uniqExactMerge(events) AS n
     FROM {db}.event_days WHERE project_id = {project:String} AND user_id = {user:String}
     GROUP BY day, event ORDER BY day, event`,
    params,
  )
  const perDay = new Map<string, number>()
  for (const e of counts) perDay.set(e.d, (perDay.get(e.d) ?? 0) + Number(e.n))
  for (const d of await rows<{ d: string; a: string | null }>(
    storage,
    `SELECT toString(day) AS d, anyLast(account_id) AS a
     FROM {db}.user_days WHERE project_id = {project:String} AND user_id = {user:String}
     GROUP BY day ORDER BY day`,
    params,
  )) {
    yield { type: 'day', date: d.d, accountId: d.a, events: perDay.get(d.d) ?? 0 }
  }

  for (const e of counts) {
    yield { type: 'event_count', date: e.d, event: e.e, count: Number(e.n) }
  }

  yield* rawEvents(storage, params, pageSize)

  for (const n of await rows<NotificationRow>(
    storage,
    `SELECT notification_id AS id, toString(kind) AS kind, seq, argMax(toString(state), at) AS state,
            argMax(payload, at) AS payload, toString(min(at)) AS claimedAt
     FROM {db}.webhook_claims
     WHERE project_id = {project:String} AND level = 'user' AND entity_id = {user:String}
     GROUP BY notification_id, kind, seq ORDER BY claimedAt, id`,
    params,
  )) {
    yield {
      type: 'notification',
      id: n.id,
      kind: n.kind,
      episode: Number(n.seq),
      state: n.state,
      claimedAt: isoTime(n.claimedAt),
      body: parseOr(n.payload),
    }
  }
}

interface NotificationRow {
  id: string
  kind: string
  seq: number
  state: string
  payload: string
  claimedAt: string
}

interface EventRow {
  eid: string
  event: string
  account_id: string
  ts: string
  client_ts: string | null
  sent: string
  received: string
  properties: string
  count: number
  flags: number
}

/** The user's raw track events, oldest first, a page at a time (keyset on the sort key). */
async function* rawEvents(
  storage: Storage,
  params: Params,
  pageSize: number,
): AsyncGenerator<ExportLine> {
  let after = { ts: '1970-01-01 00:00:00.000', id: '00000000-0000-0000-0000-000000000000' }
  for (;;) {
    const page = await rows<EventRow>(
      storage,
      // Aliases differ from the columns: an alias would stand for its column in WHERE.
      `SELECT toString(id) AS eid, event, account_id, toString(timestamp) AS ts,
              toString(${clientTimestamp}) AS client_ts, toString(sent_at) AS sent,
              toString(received_at) AS received, properties, count, flags
       FROM {db}.events FINAL
       WHERE project_id = {project:String} AND user_id = {user:String}
         AND (timestamp, id) > ({ts:DateTime64(3, 'UTC')}, {id:UUID})
       ORDER BY timestamp, id LIMIT {page:UInt32}`,
      { ...params, ...after, page: pageSize },
    )
    for (const e of page) {
      yield {
        type: 'event',
        id: e.eid,
        event: e.event,
        accountId: e.account_id || null,
        timestamp: isoTime(e.ts),
        clientTimestamp: isoTime(e.client_ts),
        sentAt: isoTime(e.sent),
        receivedAt: isoTime(e.received),
        properties: parseOr(e.properties),
        count: Number(e.count),
        flags: Number(e.flags),
      }
    }
    const last = page.at(-1)
    if (!last || page.length < pageSize) return
    after = { ts: last.ts, id: last.eid }
  }
}

/** Stored JSON text as its value; text that is not JSON as it is. */
function parseOr(text: string): unknown {
  if (text === '') return null
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
