/**
 * @module
 * Where each period's active users come from, and who left: `GET /v1/lifecycle`.
 *
 * Per period P (a week from Monday, or a month; UTC), over the project's users:
 * - `new`: first seen in P;
 * - `returning`: active in P and in the period before;
 * - `resurrecting`: active in P, not in the period before, and first seen before that one;
 * - `dormant`: active in the period before, not in P.
 * So the users active in P are `new + returning + resurrecting`. A user is active in a period
 * when it has any event or heartbeat on one of its days (a `user_timeline` row); first seen is
 * its earliest event's time (`users.first_seen`), backfilled events included. Periods are
 * whole: `from` and `to` only choose which periods are listed.
 */
import { z } from 'zod'
import type { Storage } from '../storage/client.js'
import { num, rows } from '../storage/query.js'
import { countSchema } from './activity.js'
import { bitWords } from './bitsets.js'
import { addPeriods, type PeriodInterval, periodIndexSql } from './periods.js'

/** One period of the answer. */
export interface LifecyclePeriod {
  /** Its first day. */
  period: string
  new: number
  returning: number
  resurrecting: number
  dormant: number
}

export interface LifecycleAnswer {
  interval: PeriodInterval
  from: string
  to: string
  periods: LifecyclePeriod[]
}

/** Schema of {@link LifecycleAnswer}, as documented in the OpenAPI document. */
export const lifecycleAnswerSchema = z.strictObject({
  interval: z.enum(['week', 'month']),
  from: z.iso.date(),
  to: z.iso.date(),
  periods: z
    .array(
      z.strictObject({
        period: z.iso.date().describe('Its first day.'),
        new: countSchema.describe('Users first seen in the period.'),
        returning: countSchema.describe('Active in the period and in the one before.'),
        resurrecting: countSchema.describe(
          'Active in the period, not in the one before, and first seen before that one.',
        ),
        dormant: countSchema.describe('Active in the period before, not in this one.'),
      }),
    )
    .describe('Every period holding a day from `from` to `to`, oldest first.'),
}) satisfies z.ZodType<LifecycleAnswer>

/**
 * The lifecycle of `count` periods from the one starting on `first`. Index 0 is the period
 * before `first` (read for `returning`, `resurrecting` and `dormant` of the first period); each
 * user's active periods come back as one array, and each of them marks the period itself and
 * the next one, where the user may be dormant.
 */
export async function lifecycle(
  storage: Storage,
  projectId: string,
  q: { interval: PeriodInterval; first: string; count: number; from: string; to: string },
): Promise<LifecycleAnswer> {
  const start = addPeriods(q.first, -1, q.interval)
  const end = addPeriods(q.first, q.count, q.interval)
  const index = (day: string) => periodIndexSql(q.interval, day, 'start')
  // Periods 0 … count of a user are the bits of one word (count ≤ MAX_PERIODS < 256).
  const has = (i: string) => `bitAnd(bitShiftRight(p0, ${i}), 1) = 1`
  const found = await rows<Record<'i' | 'n' | 'ret' | 'res' | 'dormant', string>>(
    storage,
    `SELECT i, countIf(fp = i) AS n,
            countIf(${has('i')} AND ${has('i - 1')}) AS ret,
            countIf(${has('i')} AND NOT ${has('i - 1')} AND fp < i - 1) AS res,
            countIf(NOT ${has('i')} AND ${has('i - 1')}) AS dormant
     FROM (
       SELECT a.p0 AS p0, f.fp AS fp FROM (
         SELECT user_id, ${bitWords('p', `toInt32(${index('day')})`, q.count + 1)} FROM {db}.user_timeline
         WHERE project_id = {project:String} AND day >= {start:Date} AND day < {end:Date}
         GROUP BY user_id) AS a
       INNER JOIN (
         SELECT user_id, toInt32(${index('toDate(min(first_seen))')}) AS fp FROM {db}.users
         WHERE project_id = {project:String} GROUP BY user_id) AS f ON f.user_id = a.user_id)
     ARRAY JOIN bitPositionsToArray(bitOr(p0, bitShiftLeft(p0, 1))) AS i
     WHERE i BETWEEN 1 AND {count:UInt32}
     GROUP BY i`,
    { project: projectId, start, end, count: q.count },
  )
  const byIndex = new Map(found.map((r) => [num(r.i), r]))
  return {
    interval: q.interval,
    from: q.from,
    to: q.to,
    periods: Array.from({ length: q.count }, (_, k) => {
      const r = byIndex.get(k + 1)
      return {
        period: addPeriods(q.first, k, q.interval),
        new: num(r?.n),
        returning: num(r?.ret),
        resurrecting: num(r?.res),
        dormant: num(r?.dormant),
      }
    }),
  }
}
