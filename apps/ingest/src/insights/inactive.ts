/**
 * @module
 * Users or accounts that went quiet: seen before, but not within `after`. Each comes with how
 * active it used to be (active days and events in the 30 days ending on its last-seen day), so
 * the list can be sorted by what the team is losing.
 */
import type { Storage } from '../storage/client.js'
import { chTime, isoTime, num, rows } from './query.js'

export type InactiveSort = 'last_seen' | 'first_seen' | 'active_days' | 'events'

/** One quiet user or account. */
export interface InactiveItem {
  /** Set for `level=user`. */
  userId?: string
  /** For `level=user`, the user's account (or null); for `level=account`, the account. */
  accountId: string | null
  firstSeen: string
  lastSeen: string
  /** Whole days since last seen. */
  inactiveDays: number
  /** For `level=account`: how many users the account has. */
  users?: number
  /** Active days and track events in the 30 days ending on the last-seen day. */
  priorActivity: { activeDays: number; events: number }
}

/** The answer of `GET /v1/inactive`. */
export interface InactiveAnswer {
  level: 'user' | 'account'
  /** Last seen before this time means inactive (now minus `after`). */
  cutoff: string
  /** How many match, over every page. */
  total: number
  limit: number
  offset: number
  /** `offset` of the next page, or null on the last page. */
  nextOffset: number | null
  items: InactiveItem[]
}

export interface InactiveQuery {
  level: 'user' | 'account'
  afterMs: number
  sort: InactiveSort
  order: 'asc' | 'desc'
  limit: number
  offset: number
}

const sortColumn: Record<InactiveSort, string> = {
  last_seen: 'ls',
  first_seen: 'fs',
  active_days: 'days',
  events: 'events',
}

const userSql = (order: string) => `
  WITH quiet AS (
    SELECT user_id, anyLast(account_id) AS acc, min(first_seen) AS fs, max(last_seen) AS ls
    FROM {db}.users WHERE project_id = {project:String}
    GROUP BY user_id HAVING ls < {cutoff:DateTime64(3, 'UTC')}
  ),
  prior AS (
    SELECT ud.user_id AS id, count() AS days, sum(ud.n) AS events
    FROM (SELECT user_id, day, uniqExactMerge(events) AS n FROM {db}.user_days
          WHERE project_id = {project:String} AND user_id IN (SELECT user_id FROM quiet)
          GROUP BY user_id, day) AS ud
    INNER JOIN quiet AS q ON q.user_id = ud.user_id
    WHERE ud.day > toDate(q.ls) - 30
    GROUP BY id
  )
  SELECT q.user_id AS id, q.acc AS acc, q.fs AS fs, q.ls AS ls, p.days AS days,
         p.events AS events, 0 AS users, count() OVER () AS total
  FROM quiet AS q LEFT JOIN prior AS p ON p.id = q.user_id
  ORDER BY ${order}, id LIMIT {limit:UInt32} OFFSET {offset:UInt32}`

const accountSql = (order: string) => `
  WITH quiet AS (
    SELECT account_id, min(first_seen) AS fs, max(last_seen) AS ls
    FROM {db}.accounts WHERE project_id = {project:String}
    GROUP BY account_id HAVING ls < {cutoff:DateTime64(3, 'UTC')}
  ),
  members AS (
    SELECT user_id, anyLast(account_id) AS acc FROM {db}.users WHERE project_id = {project:String}
    GROUP BY user_id HAVING acc IN (SELECT account_id FROM quiet)
  ),
  prior AS (
    SELECT m.acc AS id, uniqExact(ud.day) AS days, sum(ud.n) AS events
    FROM (SELECT user_id, day, uniqExactMerge(events) AS n FROM {db}.user_days
          WHERE project_id = {project:String} AND user_id IN (SELECT user_id FROM members)
          GROUP BY user_id, day) AS ud
    INNER JOIN members AS m ON m.user_id = ud.user_id
    INNER JOIN quiet AS q ON q.account_id = m.acc
    WHERE ud.day > toDate(q.ls) - 30
    GROUP BY id
  ),
  sizes AS (SELECT acc AS id, count() AS n FROM members GROUP BY id)
  SELECT q.account_id AS id, q.account_id AS acc, q.fs AS fs, q.ls AS ls, p.days AS days,
         p.events AS events, s.n AS users, count() OVER () AS total
  FROM quiet AS q LEFT JOIN prior AS p ON p.id = q.account_id
  LEFT JOIN sizes AS s ON s.id = q.account_id
  ORDER BY ${order}, id LIMIT {limit:UInt32} OFFSET {offset:UInt32}`

interface Row {
  id: string
  acc: string | null
  fs: string
  ls: string
  days: string
  events: string
  users: string
  total: string
}

/** One page of the quiet users or accounts of a project, as seen at `now`. */
export async function inactive(
  storage: Storage,
  projectId: string,
  q: InactiveQuery,
  now: number,
): Promise<InactiveAnswer> {
  const cutoff = now - q.afterMs
  const order = `${sortColumn[q.sort]} ${q.order === 'asc' ? 'ASC' : 'DESC'}`
  const page = (limit: number, offset: number) =>
    rows<Row>(storage, q.level === 'user' ? userSql(order) : accountSql(order), {
      project: projectId,
      cutoff: chTime(cutoff),
      limit,
      offset,
    })
  const found = await page(q.limit, q.offset)
  // Past the last page there is no row to carry the total: count from the first row.
  const total = num((found.length > 0 || q.offset === 0 ? found : await page(1, 0))[0]?.total)
  const items = found.map((r): InactiveItem => {
    const lastSeen = isoTime(r.ls) ?? ''
    return {
      ...(q.level === 'user' ? { userId: r.id } : { users: num(r.users) }),
      accountId: r.acc,
      firstSeen: isoTime(r.fs) ?? '',
      lastSeen,
      inactiveDays: Math.floor((now - Date.parse(lastSeen)) / 86_400_000),
      priorActivity: { activeDays: num(r.days), events: num(r.events) },
    }
  })
  const next = q.offset + items.length
  return {
    level: q.level,
    cutoff: new Date(cutoff).toISOString(),
    total,
    limit: q.limit,
    offset: q.offset,
    nextOffset: items.length > 0 && next < total ? next : null,
    items,
  }
}
