/**
 * @module
 * A period against the one before it, of the same length (`GET /v1/summary`, the top of the
 * dashboard): active users, active accounts, new users and returning users in each.
 *
 * - active users: users with any event or heartbeat on a day of the period (`user_days`);
 * - active accounts: accounts with an active user, a user counting for its latest account
 *   (as in the account answers);
 * - new users: users first seen on a day of the period;
 * - returning users: users active in the period and in the period before it (for the previous
 *   period, the one before that), as `returning` of `GET /v1/lifecycle`.
 */
import { z } from 'zod'
import type { Storage } from '../storage/client.js'
import { num, rows } from '../storage/query.js'
import { countSchema } from './activity.js'
import { addDays, daysBetween } from './days.js'

/** The figures of one period. */
export interface PeriodFigures {
  from: string
  to: string
  activeUsers: number
  activeAccounts: number
  newUsers: number
  returningUsers: number
}

/** The answer of `GET /v1/summary`. */
export interface SummaryAnswer {
  /** `from`..`to`, as asked. */
  current: PeriodFigures
  /** The as many days just before `from`. */
  previous: PeriodFigures
}

const periodFiguresSchema = z.strictObject({
  from: z.iso.date().describe('First day of the period.'),
  to: z.iso.date().describe('Last day of the period.'),
  activeUsers: countSchema.describe('Users active on a day of the period.'),
  activeAccounts: countSchema.describe(
    'Accounts with an active user (a user counting for its latest account).',
  ),
  newUsers: countSchema.describe('Users first seen in the period.'),
  returningUsers: countSchema.describe('Users active in the period and in the one before it.'),
})

/** Schema of {@link SummaryAnswer}, as documented in the OpenAPI document. */
export const summaryAnswerSchema = z.strictObject({
  current: periodFiguresSchema.describe('`from`..`to`, as asked.'),
  previous: periodFiguresSchema.describe('The as many days just before `from`.'),
}) satisfies z.ZodType<SummaryAnswer>

/** ClickHouse's `Date` starts here: a period before it has no one in it. */
const EPOCH = '1970-01-01'
const notBeforeEpoch = (day: string) => (day < EPOCH ? EPOCH : day)

/** Per user, active in the period (`c`), the previous one (`p`), the one before that (`pp`). */
const perUser = `
  SELECT user_id, max(day >= {from:Date}) AS c, max(day >= {pFrom:Date} AND day < {from:Date}) AS p,
         max(day < {pFrom:Date}) AS pp
  FROM {db}.user_days
  WHERE project_id = {project:String} AND day BETWEEN {ppFrom:Date} AND {to:Date}
  GROUP BY user_id`

const activeSql = `
  WITH d AS (${perUser}),
  m AS (SELECT user_id, anyLast(account_id) AS accountId FROM {db}.users
        WHERE project_id = {project:String} AND user_id IN (SELECT user_id FROM d)
        GROUP BY user_id)
  SELECT countIf(d.c = 1) AS users, countIf(d.p = 1) AS prevUsers,
         countIf(d.c = 1 AND d.p = 1) AS returning, countIf(d.p = 1 AND d.pp = 1) AS prevReturning,
         uniqExactIf(m.accountId, d.c = 1) AS accounts, uniqExactIf(m.accountId, d.p = 1) AS prevAccounts
  FROM d LEFT JOIN m ON m.user_id = d.user_id`

const newSql = `
  SELECT countIf(first >= {from:Date}) AS users, countIf(first < {from:Date}) AS prevUsers FROM (
    SELECT toDate(min(first_seen)) AS first FROM {db}.users
    WHERE project_id = {project:String} GROUP BY user_id
    HAVING first BETWEEN {pFrom:Date} AND {to:Date})`

export async function periodSummary(
  storage: Storage,
  projectId: string,
  q: { from: string; to: string },
): Promise<SummaryAnswer> {
  const length = daysBetween(q.from, q.to)
  const pFrom = notBeforeEpoch(addDays(q.from, -length))
  const params = {
    project: projectId,
    from: notBeforeEpoch(q.from),
    to: q.to,
    pFrom,
    ppFrom: notBeforeEpoch(addDays(q.from, -2 * length)),
  }
  const [[active], [fresh]] = await Promise.all([
    rows<Record<string, string>>(storage, activeSql, params),
    rows<Record<string, string>>(storage, newSql, params),
  ])
  return {
    current: {
      from: q.from,
      to: q.to,
      activeUsers: num(active?.users),
      activeAccounts: num(active?.accounts),
      newUsers: num(fresh?.users),
      returningUsers: num(active?.returning),
    },
    previous: {
      from: addDays(q.from, -length),
      to: addDays(q.from, -1),
      activeUsers: num(active?.prevUsers),
      activeAccounts: num(active?.prevAccounts),
      newUsers: num(fresh?.prevUsers),
      returningUsers: num(active?.prevReturning),
    },
  }
}
