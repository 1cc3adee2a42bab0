/**
 * @module
 * How many of the users first seen in a period come back in the periods after:
 * `GET /v1/retention`.
 *
 * Cohort c holds the users first seen in period c (their earliest event, backfilled events
 * included: `users.first_seen`). For each offset k from 0 to the current period, `active[k]`
 * counts the cohort's users active (any event or heartbeat, a `user_timeline` row) in period
 * c + k. The last cohort is the period holding today; periods are UTC, weeks start on Monday.
 */
import { z } from 'zod'
import type { Storage } from '../storage/client.js'
import { num, rows } from '../storage/query.js'
import { countSchema } from './activity.js'
import { bitWords } from './bitsets.js'
import { dayOf } from './days.js'
import { addPeriods, type PeriodInterval, periodIndexSql, periodStart } from './periods.js'

export interface RetentionCohort {
  /** The cohort's period, by its first day. */
  cohort: string
  /** Users first seen in it. */
  size: number
  /** `active[k]`: users of the cohort active in the k-th period after it (`active[0] = size`). */
  active: number[]
}

export interface RetentionAnswer {
  interval: PeriodInterval
  cohorts: RetentionCohort[]
}

/** Schema of {@link RetentionAnswer}, as documented in the OpenAPI document. */
export const retentionAnswerSchema = z.strictObject({
  interval: z.enum(['week', 'month']),
  cohorts: z
    .array(
      z.strictObject({
        cohort: z.iso.date().describe("The cohort's period, by its first day."),
        size: countSchema.describe('Users first seen in it.'),
        active: z
          .array(countSchema)
          .min(1)
          .describe(
            '`active[k]`: users of the cohort active in the k-th period after it (`active[0] = size`).',
          ),
      }),
    )
    .describe('Oldest first; the last is the period holding today.'),
}) satisfies z.ZodType<RetentionAnswer>

/** The `cohorts` cohorts ending with the period holding `now`'s day, oldest first. */
export async function retention(
  storage: Storage,
  projectId: string,
  q: { interval: PeriodInterval; cohorts: number },
  now: number,
): Promise<RetentionAnswer> {
  const today = dayOf(now)
  const start = addPeriods(periodStart(today, q.interval), -(q.cohorts - 1), q.interval)
  const end = addPeriods(start, q.cohorts, q.interval)
  const index = (day: string) => periodIndexSql(q.interval, day, 'start')
  const params = { project: projectId, start, end }
  // A user's active periods 0 … cohorts − 1 are the bits of one word (cohorts ≤ MAX_PERIODS).
  const firstSeen = `SELECT user_id, toInt32(${index('toDate(min(first_seen))')}) AS c FROM {db}.users
    WHERE project_id = {project:String} GROUP BY user_id
    HAVING c >= 0 AND toDate(min(first_seen)) < {end:Date}`
  const [sizes, found] = await Promise.all([
    rows<{ c: string; n: string }>(
      storage,
      `SELECT c, count() AS n FROM (${firstSeen}) GROUP BY c`,
      params,
    ),
    rows<{ c: string; k: string; n: string }>(
      storage,
      `SELECT f.c AS c, p - f.c AS k, count() AS n
       FROM (${firstSeen}) AS f
       INNER JOIN (SELECT user_id, ${bitWords('p', `toInt32(${index('day')})`, q.cohorts)} FROM {db}.user_timeline
                   WHERE project_id = {project:String} AND day >= {start:Date} AND day < {end:Date}
                   GROUP BY user_id) AS t
         ON t.user_id = f.user_id
       ARRAY JOIN bitPositionsToArray(t.p0) AS p
       WHERE p >= f.c
       GROUP BY c, k`,
      params,
    ),
  ])
  const size = new Map(sizes.map((r) => [num(r.c), num(r.n)]))
  const active = new Map(found.map((r) => [`${num(r.c)} ${num(r.k)}`, num(r.n)]))
  return {
    interval: q.interval,
    cohorts: Array.from({ length: q.cohorts }, (_, c) => ({
      cohort: addPeriods(start, c, q.interval),
      size: size.get(c) ?? 0,
      active: Array.from({ length: q.cohorts - c }, (_, k) => active.get(`${c} ${k}`) ?? 0),
    })),
  }
}
