/**
 * @module
 * The queries behind `GET /v1/inactive`.
 *
 * A page sorted by last or first seen comes from `users` / `accounts` alone; the activity
 * before going quiet is then computed exactly for that page only: active days from
 * `user_timeline` (rows sorted by user, so a page's users are found by the primary key), events
 * from `event_days`. A page sorted by activity needs every quiet entity's activity first:
 * active days are exact, and events are ranked by the per-row counts of `event_days` (exact
 * unless the same event id sits in two rows not merged yet, which only a write race can
 * cause); the page's numbers are then recomputed exactly.
 */

import { latestTraits } from './traits.js'

/** Quiet users: `id`, `accountId`, `firstSeen`, `lastSeen`. */
const quietUsers = `
  SELECT user_id AS id, anyLast(account_id) AS accountId, min(first_seen) AS firstSeen, max(last_seen) AS lastSeen
  FROM {db}.users WHERE project_id = {project:String}
  GROUP BY user_id HAVING lastSeen < {cutoff:DateTime64(3, 'UTC')}`

/** Quiet accounts: `id`, `accountId`, `firstSeen`, `lastSeen`. */
const quietAccounts = `
  SELECT account_id AS id, account_id AS accountId, min(first_seen) AS firstSeen, max(last_seen) AS lastSeen
  FROM {db}.accounts WHERE project_id = {project:String}
  GROUP BY account_id HAVING lastSeen < {cutoff:DateTime64(3, 'UTC')}`

const quiet = { user: quietUsers, account: quietAccounts }

/** A page of quiet entities ordered by `order` (a column of the quiet query). */
export const pageBySeen = (level: 'user' | 'account', order: string) => `
  SELECT id, accountId, firstSeen, lastSeen, count() OVER () AS total FROM (${quiet[level]})
  ORDER BY ${order}, id LIMIT {limit:UInt32} OFFSET {offset:UInt32}`

/**
 * The prior-activity figure a page is sorted by, named like the sort column: `days` (active
 * days: days are keys, no id set is decoded) or `events` (decodes each row's id set).
 */
const figure = (order: string) =>
  order.startsWith('days')
    ? 'uniqExact(ud.day) AS days'
    : 'sum(finalizeAggregation(ud.events)) AS events'

/** The table the figure is read from: active days from `user_timeline`, events from `event_days`. */
const source = (order: string) =>
  order.startsWith('days') ? '{db}.user_timeline' : '{db}.event_days'

/** The name of the sorted column in `order`. */
const column = (order: string) => (order.startsWith('days') ? 'days' : 'events')

/** A page of quiet users ordered by prior activity (`days` or `events`). */
const usersByActivity = (order: string) => `
  WITH q AS (${quietUsers})
  SELECT q.id AS id, q.accountId AS accountId, q.firstSeen AS firstSeen, q.lastSeen AS lastSeen, p.${column(order)} AS ${column(order)},
         count() OVER () AS total
  FROM q LEFT JOIN (
    SELECT ud.user_id AS id, ${figure(order)}
    FROM ${source(order)} AS ud INNER JOIN q AS w ON w.id = ud.user_id
    WHERE ud.project_id = {project:String} AND ud.day <= toDate({cutoff:DateTime64(3, 'UTC')})
      AND ud.day > toDate(w.lastSeen) - 30
    GROUP BY id) AS p ON p.id = q.id
  ORDER BY ${order}, id LIMIT {limit:UInt32} OFFSET {offset:UInt32}`

/** A page of quiet accounts ordered by their users' prior activity (`days` or `events`). */
const accountsByActivity = (order: string) => `
  WITH q AS (${quietAccounts}),
  m AS (SELECT user_id, anyLast(account_id) AS accountId FROM {db}.users
        WHERE project_id = {project:String}
        GROUP BY user_id HAVING accountId IN (SELECT id FROM q))
  SELECT q.id AS id, q.accountId AS accountId, q.firstSeen AS firstSeen, q.lastSeen AS lastSeen, p.${column(order)} AS ${column(order)},
         count() OVER () AS total
  FROM q LEFT JOIN (
    SELECT m.accountId AS id, ${figure(order)}
    FROM ${source(order)} AS ud INNER JOIN m ON m.user_id = ud.user_id
    INNER JOIN q AS w ON w.id = m.accountId
    WHERE ud.project_id = {project:String} AND ud.day <= toDate({cutoff:DateTime64(3, 'UTC')})
      AND ud.day > toDate(w.lastSeen) - 30
    GROUP BY id) AS p ON p.id = q.id
  ORDER BY ${order}, id LIMIT {limit:UInt32} OFFSET {offset:UInt32}`

export const pageByActivity = { user: usersByActivity, account: accountsByActivity }

/**
 * A page of quiet accounts ordered by their `mrr` trait (its latest value, when it is a
 * number), accounts without one last whatever the direction.
 */
export const pageByMrr = (order: string) => `
  SELECT q.id AS id, q.accountId AS accountId, q.firstSeen AS firstSeen, q.lastSeen AS lastSeen,
         m.mrr AS mrr, count() OVER () AS total
  FROM (${quietAccounts}) AS q LEFT JOIN (
    SELECT subject_id, toFloat64OrNull(assumeNotNull(latest)) AS mrr
    FROM (${latestTraits("AND key = 'mrr'")})) AS m ON m.subject_id = q.id
  ORDER BY ${order} NULLS LAST, id LIMIT {limit:UInt32} OFFSET {offset:UInt32}`

/** The given users from `lo` to `hi`. */
const pageUsers = `project_id = {project:String} AND user_id IN (SELECT arrayJoin({ids:Array(String)}))
    AND day BETWEEN {lo:Date} AND {hi:Date}`

/**
 * Exact (day, events) of the given users from `lo` to `hi`: every active day (`user_timeline`),
 * with its events (`event_days`; a day of heartbeats only has none).
 */
export const userDays = `
  SELECT id, d, sum(n) AS n FROM (
    SELECT user_id AS id, toString(day) AS d, toUInt64(0) AS n FROM {db}.user_timeline
    WHERE ${pageUsers}
    UNION ALL
    SELECT user_id AS id, toString(day) AS d, uniqExactMerge(events) AS n FROM {db}.event_days
    WHERE ${pageUsers}
    GROUP BY user_id, day)
  GROUP BY id, d`

/**
 * The users of the given accounts (`user_id`, `accountId`). A user's account is the latest one it was
 * seen with, so every row of a user ever seen with one of the accounts is read, and only those
 * users are grouped.
 */
export const accountMembers = `
  SELECT user_id, anyLast(account_id) AS accountId FROM {db}.users
  WHERE project_id = {project:String}
    AND user_id IN (SELECT user_id FROM {db}.users WHERE project_id = {project:String}
                    AND account_id IN (SELECT arrayJoin({ids:Array(String)})))
  GROUP BY user_id HAVING accountId IN (SELECT arrayJoin({ids:Array(String)}))`
