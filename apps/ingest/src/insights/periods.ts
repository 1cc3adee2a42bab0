/**
 * @module
 * Weeks and months as periods: UTC, weeks start on Monday, a period is named by its first day.
 * The same periods in TypeScript (to list and name them) and in SQL (to index a row's day).
 */
import { addDays } from './days.js'

export type PeriodInterval = 'week' | 'month'

/** First day of the week (a Monday) or month holding `day`. */
export function periodStart(day: string, interval: PeriodInterval): string {
  if (interval === 'month') return `${day.slice(0, 8)}01`
  const weekday = (new Date(day).getUTCDay() + 6) % 7
  return addDays(day, -weekday)
}

/** The first day of the period `n` periods after the one starting on `start` (negative: before). */
export function addPeriods(start: string, n: number, interval: PeriodInterval): string {
  if (interval === 'week') return addDays(start, 7 * n)
  const d = new Date(start)
  d.setUTCDate(1)
  d.setUTCMonth(d.getUTCMonth() + n)
  return d.toISOString().slice(0, 10)
}

/** How many periods from the one starting on `from` to the one starting on `to`, both included. */
export function periodsBetween(from: string, to: string, interval: PeriodInterval): number {
  if (interval === 'week') return Math.round((Date.parse(to) - Date.parse(from)) / 604_800_000) + 1
  const [fy, fm] = [Number(from.slice(0, 4)), Number(from.slice(5, 7))]
  const [ty, tm] = [Number(to.slice(0, 4)), Number(to.slice(5, 7))]
  return (ty - fy) * 12 + tm - fm + 1
}

/**
 * SQL: how many periods after the one starting on the `Date` parameter `start` the period
 * holding `day` is (negative before it). `start` must be a period's first day.
 */
export function periodIndexSql(interval: PeriodInterval, day: string, start: string): string {
  return interval === 'week'
    ? `intDiv(toInt32(toMonday(${day}) - {${start}:Date}), 7)`
    : `((toYear(${day}) - toYear({${start}:Date})) * 12 + toMonth(${day}) - toMonth({${start}:Date}))`
}
