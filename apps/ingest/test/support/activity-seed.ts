/**
 * @module
 * Users active on chosen days, as wire events: a tool for tests that need a history shaped day
 * by day (declining users, lifecycle, retention, the declining webhooks).
 */
import { addDays, dayOf } from '../../src/insights/days.js'
import type { SeedEvent } from './insights-seed.js'

/**
 * A time on the UTC day `n` days before today: 00:00:30 for a past day (so the day is wholly
 * past `n` days after it), a minute ago for today.
 */
export function dayTime(n: number, now = Date.now()): string {
  if (n === 0) return new Date(now - 60_000).toISOString()
  return `${addDays(dayOf(now), -n)}T00:00:30.000Z`
}

/** Days `from` to `to` ago, both included, every `step` days. */
export function daysAgoRange(from: number, to: number, step = 1): number[] {
  const out: number[] = []
  for (let n = from; n <= to; n += step) out.push(n)
  return out
}

/** One heartbeat of `userId` (in `accountId` when given) on each of the days `n` ago. */
export function activeOn(userId: string, days: number[], accountId?: string): SeedEvent[] {
  return days.map((n) => ({
    id: crypto.randomUUID(),
    type: 'seen' as const,
    userId,
    ...(accountId ? { accountId } : {}),
    timestamp: dayTime(n),
  }))
}
