/**
 * @module
 * Track events counted per name and per day, optionally for one user or one account.
 */
import type { Storage } from '../storage/client.js'
import { membersOf, subjectParams } from './activity.js'
import { num, rows } from './query.js'

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
  const found = await rows<{ event: string; d: string; n: string }>(
    storage,
    `SELECT event, toString(day) AS d, uniqExactMerge(events) AS n FROM {db}.event_days
     WHERE project_id = {project:String} AND day BETWEEN {from:Date} AND {to:Date}
     ${filters.map((f) => `AND ${f}`).join(' ')}
     GROUP BY event, day ORDER BY event, day`,
    params,
  )
  const totals = await rows<{ event: string; n: string; users: string }>(
    storage,
    `SELECT event, uniqExactMerge(events) AS n, uniqExact(user_id) AS users FROM {db}.event_days
     WHERE project_id = {project:String} AND day BETWEEN {from:Date} AND {to:Date}
     ${filters.map((f) => `AND ${f}`).join(' ')}
     GROUP BY event ORDER BY n DESC, event`,
    params,
  )
  const byEvent = new Map<string, { date: string; count: number }[]>()
  for (const r of found) {
    const list = byEvent.get(r.event) ?? []
    list.push({ date: r.d, count: num(r.n) })
    byEvent.set(r.event, list)
  }
  return {
    from: q.from,
    to: q.to,
    events: totals.map((t) => ({
      event: t.event,
      count: num(t.n),
      users: num(t.users),
      days: byEvent.get(t.event) ?? [],
    })),
  }
}
