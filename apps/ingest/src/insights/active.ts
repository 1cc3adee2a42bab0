/**
 * @module
 * Active users over time: DAU, WAU and MAU, and stickiness (average DAU / MAU).
 *
 * A user is active on a day when any event or heartbeat of theirs has a timestamp on that UTC
 * day (one `user_days` row). Rolling windows are computed without expanding every day into
 * every window: each active day `x` of a user covers the windows ending on `x` up to (not
 * including) the user's next active day or `x + window`, whichever comes first, so the counts
 * are a running sum of +1/-1 marks, one pass over the user-days.
 */
import type { Storage } from '../storage/client.js'
import { addDays, eachDay } from './days.js'
import { num, rows } from './query.js'

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

const bucketOf: Record<Interval, string> = {
  day: 'day',
  week: 'toMonday(day)',
  month: 'toStartOfMonth(day)',
}

/** First day of the bucket holding `day`. */
function bucketStart(day: string, interval: Interval): string {
  if (interval === 'day') return day
  if (interval === 'month') return `${day.slice(0, 8)}01`
  const weekday = (new Date(day).getUTCDay() + 6) % 7
  return addDays(day, -weekday)
}

/** DAU, WAU and MAU per day; series by `interval`; stickiness at `to`. */
export async function activeUsers(
  storage: Storage,
  projectId: string,
  q: { from: string; to: string; interval: Interval },
): Promise<ActiveAnswer> {
  const { from, to, interval } = q
  const stickFrom = addDays(to, -29)
  const params = { project: projectId, from, to, stickFrom }

  const buckets = await rows<{ b: string; n: string }>(
    storage,
    `SELECT toString(${bucketOf[interval]}) AS b, uniqExact(user_id) AS n FROM {db}.user_days
     WHERE project_id = {project:String} AND day BETWEEN {from:Date} AND {to:Date}
     GROUP BY b ORDER BY b`,
    params,
  )
  const counts = new Map(buckets.map((r) => [r.b, num(r.n)]))
  const starts = [...new Set(eachDay(from, to).map((d) => bucketStart(d, interval)))]
  const series: ActivePoint[] = starts.map((date) => ({ date, active: counts.get(date) ?? 0 }))

  if (interval === 'day') {
    const rolling = await rollingActive(storage, projectId, from, to)
    for (const point of series) {
      const r = rolling.get(point.date)
      point.wau = r?.wau ?? 0
      point.mau = r?.mau ?? 0
    }
  }

  const [stick] = await rows<{ days: string; mau: string }>(
    storage,
    `SELECT count() AS days, uniqExact(user_id) AS mau FROM
       (SELECT DISTINCT day, user_id FROM {db}.user_days
        WHERE project_id = {project:String} AND day BETWEEN {stickFrom:Date} AND {to:Date})`,
    params,
  )
  const averageDau = num(stick?.days) / 30
  const mau = num(stick?.mau)
  return {
    interval,
    from,
    to,
    series,
    stickiness: { from: stickFrom, to, averageDau, mau, ratio: mau ? averageDau / mau : 0 },
  }
}

/** Distinct users active in the 7 and 30 days ending on each day from `from` to `to`. */
export async function rollingActive(
  storage: Storage,
  projectId: string,
  from: string,
  to: string,
): Promise<Map<string, { wau: number; mau: number }>> {
  const start = addDays(from, -29)
  const marks = await rows<{ d: string; w7: string; w30: string }>(
    storage,
    `SELECT toString(m.1) AS d, sum(m.2) AS w7, sum(m.3) AS w30 FROM (
       SELECT arrayJoin([(x, 1, 1), (least(x + 7, nx), -1, 0), (least(x + 30, nx), 0, -1)]) AS m
       FROM (
         SELECT day AS x,
                leadInFrame(day, 1, toDate('2149-01-01')) OVER (
                  PARTITION BY user_id ORDER BY day ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING) AS nx
         FROM (SELECT DISTINCT user_id, day FROM {db}.user_days
               WHERE project_id = {project:String} AND day BETWEEN {start:Date} AND {to:Date})))
     GROUP BY d ORDER BY d`,
    { project: projectId, start, to },
  )
  const delta = new Map(marks.map((m) => [m.d, { w7: num(m.w7), w30: num(m.w30) }]))
  const out = new Map<string, { wau: number; mau: number }>()
  let wau = 0
  let mau = 0
  for (const day of eachDay(start, to)) {
    const d = delta.get(day)
    wau += d?.w7 ?? 0
    mau += d?.w30 ?? 0
    if (day >= from) out.set(day, { wau, mau })
  }
  return out
}
