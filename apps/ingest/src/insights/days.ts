/**
 * @module
 * UTC calendar days as `YYYY-MM-DD` strings, the unit of every activity answer.
 */

const DAY_MS = 86_400_000

/**
 * Earliest and latest day a read request may name. The earliest leaves room for the 59 days
 * before it that rolling windows read (ClickHouse's `Date` starts on 1970-01-01); the latest
 * keeps every day a four-digit year.
 */
export const FIRST_DAY = '1971-01-01'
export const LAST_DAY = '2099-12-31'

/** Most days `eachDay` lists: a request's longest range and the windows around it. */
const MAX_LISTED_DAYS = 1000

/** The UTC day of a time. */
export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10)

/** `day` moved by `n` days (negative: earlier). */
export const addDays = (day: string, n: number): string => dayOf(Date.parse(day) + n * DAY_MS)

/** Days from `from` to `to`, both included. */
export const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS) + 1

/**
 * Every day from `from` to `to`, both included. Counted, not compared as text, and bounded: a
 * span over `MAX_LISTED_DAYS` is a caller's bug, thrown rather than looped over.
 */
export function eachDay(from: string, to: string): string[] {
  const n = daysBetween(from, to)
  if (!(n <= MAX_LISTED_DAYS)) {
    throw new RangeError(`eachDay: ${from}..${to} is over ${MAX_LISTED_DAYS} days`)
  }
  const start = Date.parse(from)
  return Array.from({ length: Math.max(0, n) }, (_, i) => dayOf(start + i * DAY_MS))
}
