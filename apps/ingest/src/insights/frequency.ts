/**
 * @module
 * How often users come back: active days per week, averaged over a window of whole weeks, and
 * how users spread over 0–7 days a week.
 */
import { z } from 'zod'
import type { Storage } from '../storage/client.js'
import { num, rows } from '../storage/query.js'
import { countSchema, membersOf, subjectParams } from './activity.js'
import { addDays } from './days.js'

/** The answer of `GET /v1/frequency`. */
export interface FrequencyAnswer {
  from: string
  to: string
  weeks: number
  /** Users active at least once in the window. */
  users: number
  /** Mean over those users of (active days in the window / weeks). */
  averageDaysPerWeek: number
  /**
   * Users by their active days per week, rounded to the nearest whole day (half up), 0 to 7.
   * Bucket 0 holds users active on average less than half a day a week.
   */
  distribution: { daysPerWeek: number; users: number }[]
}

/** Schema of {@link FrequencyAnswer}, as documented in the OpenAPI document. */
export const frequencyAnswerSchema = z.strictObject({
  from: z.iso.date(),
  to: z.iso.date(),
  weeks: z.number().int().min(1),
  users: countSchema.describe('Users active at least once in the window.'),
  averageDaysPerWeek: z
    .number()
    .min(0)
    .max(7)
    .describe('Mean over those users of (active days in the window / weeks).'),
  distribution: z
    .array(z.strictObject({ daysPerWeek: z.number().int().min(0).max(7), users: countSchema }))
    .length(8)
    .describe('Users by active days per week, rounded half up, 0 to 7.'),
}) satisfies z.ZodType<FrequencyAnswer>

export async function frequency(
  storage: Storage,
  projectId: string,
  q: { to: string; weeks: number; accountId?: string | undefined },
): Promise<FrequencyAnswer> {
  const from = addDays(q.to, -(q.weeks * 7 - 1))
  const filter = q.accountId === undefined ? '' : `AND ${membersOf({ accountId: q.accountId })}`
  const found = await rows<{ days: string; users: string }>(
    storage,
    `SELECT days, count() AS users FROM
       (SELECT user_id, uniqExact(day) AS days FROM {db}.user_days
        WHERE project_id = {project:String} AND day BETWEEN {from:Date} AND {to:Date} ${filter}
        GROUP BY user_id)
     GROUP BY days ORDER BY days`,
    {
      project: projectId,
      from,
      to: q.to,
      ...(q.accountId === undefined ? {} : subjectParams({ accountId: q.accountId })),
    },
  )
  const distribution = Array.from({ length: 8 }, (_, daysPerWeek) => ({ daysPerWeek, users: 0 }))
  let users = 0
  let dayTotal = 0
  for (const r of found) {
    const days = num(r.days)
    const n = num(r.users)
    users += n
    dayTotal += days * n
    const bucket = distribution[Math.min(7, Math.floor(days / q.weeks + 0.5))]
    if (bucket) bucket.users += n
  }
  return {
    from,
    to: q.to,
    weeks: q.weeks,
    users,
    averageDaysPerWeek: users ? dayTotal / users / q.weeks : 0,
    distribution,
  }
}
