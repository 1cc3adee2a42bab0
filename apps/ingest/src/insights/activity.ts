/**
 * @module
 * Recent activity of one user or one account: events and active days in the last 7 and 30
 * days (UTC days ending today), and the most used events. Shared by the user and account
 * answers. Active days come from `user_timeline`, sorted by user (a user's rows are found by
 * the primary key), events from `event_days` (a day's events are the sum of its names').
 */
import { z } from 'zod'
import type { Storage } from '../storage/client.js'
import { num, rows } from '../storage/query.js'
import { addDays } from './days.js'

/** Activity over a window of days. */
interface WindowActivity {
  /** Track events (each stored event once, however often it was sent). */
  events: number
  /** Days with any event or heartbeat. */
  activeDays: number
}

/** Activity in the last 7 and 30 days, and the top events of the last 30. */
export interface RecentActivity {
  last7Days: WindowActivity
  last30Days: WindowActivity
  /** Up to 10 events of the last 30 days, most frequent first. */
  topEvents: { event: string; count: number }[]
}

/** A count of things: a whole number from 0. */
export const countSchema = z.number().int().min(0)

/** A time as the read API answers it: ISO 8601 in UTC with milliseconds, `…T12:00:00.000Z`. */
export const timeSchema = z.iso.datetime({ precision: 3 })

const windowActivitySchema = z.strictObject({
  events: countSchema.describe('Track events (each stored event once).'),
  activeDays: countSchema.describe('Days with any event or heartbeat.'),
}) satisfies z.ZodType<WindowActivity>

/** Schema of {@link RecentActivity}, the fields the user and account answers share. */
export const recentActivityFields = {
  last7Days: windowActivitySchema.describe('The 7 UTC days ending today.'),
  last30Days: windowActivitySchema.describe('The 30 UTC days ending today.'),
  topEvents: z
    .array(z.strictObject({ event: z.string(), count: countSchema }))
    .max(10)
    .describe('Up to 10 events of the last 30 days, most frequent first.'),
}

/** Who the activity is of: one user, or every user whose account is `accountId`. */
export type Subject = { userId: string } | { accountId: string }

/**
 * The `user_id` condition selecting a subject's users, with the `project` parameter and those
 * of {@link subjectParams}. An account's users are those whose latest account it is: only the
 * users ever seen with it are grouped to find out.
 */
export function membersOf(subject: Subject): string {
  return 'userId' in subject
    ? 'user_id = {user:String}'
    : `user_id IN (SELECT user_id FROM {db}.users WHERE project_id = {project:String}
         AND user_id IN (SELECT user_id FROM {db}.users WHERE project_id = {project:String}
                         AND account_id = {account:String})
         GROUP BY user_id HAVING anyLast(account_id) = {account:String})`
}

/** The parameters {@link membersOf}'s condition reads: `user` or `account`. */
export const subjectParams = (subject: Subject) =>
  'userId' in subject ? { user: subject.userId } : { account: subject.accountId }

/**
 * The `AND …` conditions keeping only the rows of `q.userId` and of the users of
 * `q.accountId` (each when given), and their parameters.
 */
export function subjectsWhere(q: { userId?: string | undefined; accountId?: string | undefined }): {
  sql: string
  params: Record<string, string>
} {
  const subjects: Subject[] = []
  if (q.userId !== undefined) subjects.push({ userId: q.userId })
  if (q.accountId !== undefined) subjects.push({ accountId: q.accountId })
  return {
    sql: subjects.map((s) => `AND ${membersOf(s)}`).join(' '),
    params: Object.assign({}, ...subjects.map(subjectParams)),
  }
}

export async function recentActivity(
  storage: Storage,
  projectId: string,
  subject: Subject,
  today: string,
): Promise<RecentActivity> {
  const params = {
    project: projectId,
    ...subjectParams(subject),
    d7: addDays(today, -6),
    d30: addDays(today, -29),
    today,
  }
  const members = membersOf(subject)
  const [totals] = await rows<Record<string, string>>(
    storage,
    `SELECT countIf(day >= {d7:Date}) AS days7, count() AS days30,
            sumIf(n, day >= {d7:Date}) AS events7, sum(n) AS events30
     FROM (SELECT day, sum(n) AS n FROM (
             SELECT day, toUInt64(0) AS n FROM {db}.user_timeline
             WHERE project_id = {project:String} AND day BETWEEN {d30:Date} AND {today:Date}
               AND ${members}
             UNION ALL
             SELECT day, uniqExactMerge(events) AS n FROM {db}.event_days
             WHERE project_id = {project:String} AND day BETWEEN {d30:Date} AND {today:Date}
               AND ${members}
             GROUP BY day)
           GROUP BY day)`,
    params,
  )
  const top = await rows<{ event: string; n: string }>(
    storage,
    `SELECT event, uniqExactMerge(events) AS n FROM {db}.event_days
     WHERE project_id = {project:String} AND day BETWEEN {d30:Date} AND {today:Date}
       AND ${members}
     GROUP BY event ORDER BY n DESC, event LIMIT 10`,
    params,
  )
  return {
    last7Days: { events: num(totals?.events7), activeDays: num(totals?.days7) },
    last30Days: { events: num(totals?.events30), activeDays: num(totals?.days30) },
    topEvents: top.map((r) => ({ event: r.event, count: num(r.n) })),
  }
}
