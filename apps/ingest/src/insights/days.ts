/**
 * @module
 * UTC calendar days as `YYYY-MM-DD` strings, the unit of every activity answer.
 */

const DAY_MS = 86_400_000

/** The UTC day of a time. */
export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10)

/** `day` moved by `n` days (negative: earlier). */
export const addDays = (day: string, n: number): string => dayOf(Date.parse(day) + n * DAY_MS)

/** Days from `from` to `to`, both included. */
export const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS) + 1

/** Every day from `from` to `to`, both included. */
export function eachDay(from: string, to: string): string[] {
  const out: string[] = []
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d)
  return out
}
