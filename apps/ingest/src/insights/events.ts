/**
 * @module
 * Track events counted per name and per day, optionally for one user or one account.
 *
 * For the whole project the answer comes from `event_totals` (a row per day and name holding
 * the exact sets of event ids and users); for one user or account, from `event_days` (a row
 * per day, name and user), filtered to those users.
 */
import { z } from 'zod'
import type { Storage } from '../storage/client.js'
import { num, rows } from '../storage/query.js'
import { countSchema, membersOf, subjectParams } from './activity.js'

type Day = { date: string; count: number }

/** The answer of `GET /v1/events`. */
export interface EventsAnswer {
  from: string
  to: string
  /** One entry per event name, most frequent first. */
  events: {
    event: string
    /** Events in the range. */
    count: number
    /** Distinct users who sent it in the range. */
    users: number
    /** Per day, only days with events. */
    days: { date: string; count: number }[]
  }[]
}

/** Schema of {@link EventsAnswer}, as documented in the OpenAPI document. */
export const eventsAnswerSchema = z.strictObject({
  from: z.iso.date(),
  to: z.iso.date(),
  events: z
    .array(
      z.strictObject({
        event: z.string(),
        count: countSchema.describe('Events in the range.'),
        users: countSchema.describe('Distinct users who sent it in the range.'),
        days: z
          .array(z.strictObject({ date: z.iso.date(), count: countSchema }))
          .describe('Per day, only days with events.'),
      }),
    )
    .describe('One entry per event name, most frequent first.'),
}) satisfies z.ZodType<EventsAnswer>

export async function eventCounts(
  storage: Storage,
  projectId: string,
  q: { from: string; to: string; userId?: string | undefined; accountId?: string | undefined },
): Promise<EventsAnswer> {
  const filters: string[] = []
  let params: Record<string, string> = { project: projectId, from: q.from, to: q.to }
  if (q.userId !== undefined) {
    filters.push(membersOf({ userId: q.userId }))
    params = { ...params, ...subjectParams({ userId: q.userId }) }
  }
  if (q.accountId !== undefined) {
    filters.push(membersOf({ accountId: q.accountId }))
    params = { ...params, ...subjectParams({ accountId: q.accountId }) }
  }
  const where = `project_id = {project:String} AND day BETWEEN {from:Date} AND {to:Date}
     ${filters.map((f) => `AND ${f}`).join(' ')}`
  const table = filters.length === 0 ? '{db}.event_totals' : '{db}.event_days'
  const users = filters.length === 0 ? 'uniqExactMerge(users)' : 'uniqExact(user_id)'
  // An event id has one name and one day, so a name's total is the sum of its days: no
  // second merge of every id over the whole range.
  const [perDay, usersPerEvent] = await Promise.all([
    rows<{ event: string; d: string; n: string }>(
      storage,
      `SELECT event, toString(day) AS d, uniqExactMerge(events) AS n FROM ${table}
       WHERE ${where} GROUP BY event, day ORDER BY event, day`,
      params,
    ),
    rows<{ event: string; users: string }>(
      storage,
      `SELECT event, ${users} AS users FROM ${table} WHERE ${where} GROUP BY event`,
      params,
    ),
  ])
  const byEvent = new Map<string, { event: string; count: number; users: number; days: Day[] }>()
  for (const r of perDay) {
    const entry = byEvent.get(r.event) ?? { event: r.event, count: 0, users: 0, days: [] }
    byEvent.set(r.event, entry)
    entry.count += num(r.n)
    entry.days.push({ date: r.d, count: num(r.n) })
  }
  for (const r of usersPerEvent) {
    const entry = byEvent.get(r.event)
    if (entry) entry.users = num(r.users)
  }
  return {
    from: q.from,
    to: q.to,
    events: [...byEvent.values()].sort(
      (a, b) => b.count - a.count || (a.event < b.event ? -1 : a.event > b.event ? 1 : 0),
    ),
  }
}
