/**
 * @module
 * Active users over time: DAU, WAU and MAU, and stickiness (average DAU / MAU).
 *
 * A user is active on a day when any event or heartbeat of theirs has a timestamp on that UTC
 * day (one `user_days` row). Rolling windows are computed without expanding every day into
 * every window: each active day `x` of a user counts in the windows ending on `x` up to (not
 * including) the user's next active day or `x + window`, whichever comes first, so the counts
 * are running sums of +1/-1 marks, one pass over each user's sorted days.
 */
import { z } from 'zod'
import type { Storage } from '../storage/client.js'
import { num, rows } from '../storage/query.js'
import { countSchema } from './activity.js'
import { addDays, daysBetween, eachDay } from './days.js'
import { periodStart } from './periods.js'

export type Interval = 'day' | 'week' | 'month'

/** One point of the series. `wau` and `mau` are given for `interval=day` only. */
export interface ActivePoint {
  /** First day of the bucket (a Monday for weeks, the 1st for months). */
  date: string
  /** Distinct active users in the bucket (days of the bucket outside `from`..`to` excluded). */
  active: number
  /** Distinct users active in the 7 days ending on `date`. */
  wau?: number
  /** Distinct users active in the 30 days ending on `date`. */
  mau?: number
}

/** The answer of `GET /v1/active`. */
export interface ActiveAnswer {
  interval: Interval
  from: string
  to: string
  series: ActivePoint[]
  /** Over the 30 days ending on `to`: average daily active users, monthly active users, ratio. */
  stickiness: { from: string; to: string; averageDau: number; mau: number; ratio: number }
}

/** Schema of {@link ActiveAnswer}, as documented in the OpenAPI document. */
export const activeAnswerSchema = z.strictObject({
  interval: z.enum(['day', 'week', 'month']),
  from: z.iso.date(),
  to: z.iso.date(),
  series: z.array(
    z.strictObject({
      date: z.iso
        .date()
        .describe('First day of the bucket (a Monday for weeks, the 1st for months).'),
      active: countSchema.describe('Distinct active users in the bucket.'),
      wau: countSchema
        .exactOptional()
        .describe('Distinct users active in the 7 days ending on `date` (`interval=day` only).'),
      mau: countSchema
        .exactOptional()
        .describe('Distinct users active in the 30 days ending on `date` (`interval=day` only).'),
    }),
  ),
  stickiness: z
    .strictObject({
      from: z.iso.date(),
      to: z.iso.date(),
      averageDau: z.number().min(0),
      mau: countSchema,
      ratio: z.number().min(0).max(1),
    })
    .describe(
      'Over the 30 days ending on `to`: average daily active users, monthly active users, their ratio.',
    ),
}) satisfies z.ZodType<ActiveAnswer>

/** First day of the bucket holding `day`. */
function bucketStart(day: string, interval: Interval): string {
  return interval === 'day' ? day : periodStart(day, interval)
}

/** DAU, WAU and MAU per day; series by `interval`; stickiness at `to`. */
export async function activeUsers(
  storage: Storage,
  projectId: string,
  q: { from: string; to: string; interval: Interval },
): Promise<ActiveAnswer> {
  const { from, to, interval } = q
  const stickFrom = addDays(to, -29)
  const answer =
    interval === 'day'
      ? await daily(storage, projectId, from, to, stickFrom)
      : await buckets(storage, projectId, from, to, stickFrom, interval)
  const averageDau = answer.userDays / 30
  return {
    interval,
    from,
    to,
    series: answer.series,
    stickiness: {
      from: stickFrom,
      to,
      averageDau,
      mau: answer.mau,
      ratio: answer.mau ? averageDau / answer.mau : 0,
    },
  }
}

interface Measured {
  series: ActivePoint[]
  /** User-days in the 30 days ending on `to`. */
  userDays: number
  /** Distinct users in the 30 days ending on `to`. */
  mau: number
}

/**
 * Each user's active days from `start`, sorted: one 64-bit mask per 64 days (`groupBitOr` is
 * much cheaper than collecting distinct days), turned back into dates.
 */
function sortedDays(spanDays: number): string {
  const words = Array.from({ length: Math.ceil(spanDays / 64) }, (_, w) => {
    const bit = `bitShiftLeft(toUInt64(1), toUInt8((day - {start:Date}) % 64))`
    const mask = `groupBitOrIf(${bit}, intDiv(day - {start:Date}, 64) = ${w})`
    return `arrayMap(b -> {start:Date} + ${w * 64} + b, bitPositionsToArray(${mask}))`
  })
  return words.length === 1 ? (words[0] ?? '') : `arrayConcat(${words.join(', ')})`
}

/**
 * Per day: DAU, and the rolling WAU and MAU as running sums of marks: each active day `x`
 * marks +1 (WAU and MAU) on `x`, and -1 when the window stops covering it, at the user's next
 * active day or `x + 7` / `x + 30`, whichever comes first.
 */
async function daily(
  storage: Storage,
  projectId: string,
  from: string,
  to: string,
  stickFrom: string,
): Promise<Measured> {
  const first = from < stickFrom ? from : stickFrom
  const start = addDays(first, -29)
  const marks = await rows<{ d: string; dau: string; w7: string; w30: string }>(
    storage,
    `SELECT toString(m.1) AS d, sum(m.2) AS dau, sum(m.3) AS w7, sum(m.4) AS w30 FROM (
       SELECT ${sortedDays(daysBetween(start, to))} AS days FROM {db}.user_days
       WHERE project_id = {project:String} AND day BETWEEN {start:Date} AND {to:Date}
       GROUP BY user_id)
     ARRAY JOIN arrayMap((x, nx) -> [(x, 1, 1, 1), (least(x + 7, nx), 0, -1, 0),
                                     (least(x + 30, nx), 0, 0, -1)],
                         days, arrayPushBack(arrayPopFront(days), toDate('2149-01-01'))) AS ms
     ARRAY JOIN ms AS m
     GROUP BY d`,
    { project: projectId, start, to },
  )
  const delta = new Map(marks.map((m) => [m.d, [num(m.dau), num(m.w7), num(m.w30)] as const]))
  const series: ActivePoint[] = []
  let [wau, mau, userDays] = [0, 0, 0]
  for (const date of eachDay(start, to)) {
    const d = delta.get(date)
    const dau = d?.[0] ?? 0
    wau += d?.[1] ?? 0
    mau += d?.[2] ?? 0
    if (date >= stickFrom) userDays += dau
    if (date >= from) series.push({ date, active: dau, wau, mau })
  }
  return { series, userDays, mau }
}

/** How many buckets after the one holding `from` the bucket holding `day` is. */
const bucketIndex: Record<'week' | 'month', string> = {
  week: 'intDiv(toMonday(day) - toMonday({from:Date}), 7)',
  month: '(toYear(day) - toYear({from:Date})) * 12 + toMonth(day) - toMonth({from:Date})',
}

/**
 * Distinct users per week or month, and the stickiness figures, in one pass over users: each
 * user's buckets as bits of 64-bit masks (one per 64 buckets) and its days of the stickiness
 * window as the bits of one more (`groupBitOr` is much cheaper than collecting distinct values).
 */
async function buckets(
  storage: Storage,
  projectId: string,
  from: string,
  to: string,
  stickFrom: string,
  interval: 'week' | 'month',
): Promise<Measured> {
  const starts = [...new Set(eachDay(from, to).map((d) => bucketStart(d, interval)))]
  const index = bucketIndex[interval]
  const words = Array.from({ length: Math.ceil(starts.length / 64) }, (_, w) => {
    const bit = `bitShiftLeft(toUInt64(1), toUInt8(${index} - ${w * 64}))`
    const mask = `groupBitOrIf(${bit}, day >= {from:Date} AND intDiv(${index}, 64) = ${w})`
    return `arrayMap(b -> toInt32(b) + ${w * 64}, bitPositionsToArray(${mask}))`
  })
  const found = await rows<{ b: string; sticky: number; users: string; days: string }>(
    storage,
    `SELECT t.1 AS b, t.2 AS sticky, count() AS users, sum(sd) AS days FROM (
       SELECT ${words.length === 1 ? words[0] : `arrayConcat(${words.join(', ')})`} AS bs,
              bitCount(groupBitOrIf(bitShiftLeft(toUInt64(1), toUInt8(day - {stickFrom:Date})),
                                    day >= {stickFrom:Date})) AS sd
       FROM {db}.user_days
       WHERE project_id = {project:String} AND day BETWEEN {lo:Date} AND {to:Date}
       GROUP BY user_id)
     ARRAY JOIN arrayPushBack(arrayMap(b -> (b, 0), bs), (toInt32(-1), 1)) AS t
     WHERE t.2 = 0 OR sd > 0
     GROUP BY t.1, t.2`,
    { project: projectId, from, to, stickFrom, lo: from < stickFrom ? from : stickFrom },
  )
  const counts = new Map(
    found.filter((r) => !Number(r.sticky)).map((r) => [num(r.b), num(r.users)]),
  )
  const sticky = found.find((r) => Number(r.sticky))
  return {
    series: starts.map((date, i) => ({ date, active: counts.get(i) ?? 0 })),
    userDays: num(sticky?.days),
    mau: num(sticky?.users),
  }
}
