/**
 * @module
 * A known history for insights tests, sent through `POST /v1/batch` with explicit old
 * timestamps (backfill), and a small reference model of who was active on which day, so tests
 * can compute the exact expected answers independently of the SQL.
 */
import { addDays, dayOf } from '../../src/insights/days.js'
import { groupEvent, identifyEvent } from './events.js'

export interface SeedEvent {
  id: string
  type: 'track' | 'seen' | 'identify'
  event?: string
  userId: string
  accountId?: string
  timestamp: string
  /** For `identify`. */
  traits?: Record<string, unknown>
}

/** A time on the UTC day `n` days before today: noon, or a minute ago for today. */
export function daysAgo(n: number, now = Date.now()): string {
  if (n === 0) return new Date(now - 60_000).toISOString()
  return `${addDays(dayOf(now), -n)}T12:00:00.000Z`
}

const track = (event: string, userId: string, n: number, accountId?: string): SeedEvent => ({
  id: crypto.randomUUID(),
  type: 'track',
  event,
  userId,
  ...(accountId ? { accountId } : {}),
  timestamp: daysAgo(n),
})

/** A heartbeat of `userId` at noon `n` days ago (UTC), in `accountId` when given. */
export const seen = (userId: string, n: number, accountId?: string): SeedEvent => ({
  id: crypto.randomUUID(),
  type: 'seen',
  userId,
  ...(accountId ? { accountId } : {}),
  timestamp: daysAgo(n),
})

/**
 * - u_1 (acme): search ×2 today, login 1 day ago, heartbeat 3 days ago, search 40 days ago.
 * - u_2 (acme): search ×3 20 days ago, login 25 days ago — quiet for 20 days.
 * - u_3 (globex): heartbeat 16 days ago, search 50 days ago — globex went quiet 16 days ago.
 * - u_4 (no account): report.export 2 days ago.
 */
export function knownHistory(): SeedEvent[] {
  return [
    track('search', 'u_1', 0, 'acme'),
    track('search', 'u_1', 0, 'acme'),
    track('login', 'u_1', 1, 'acme'),
    seen('u_1', 3, 'acme'),
    track('search', 'u_1', 40, 'acme'),
    track('search', 'u_2', 20, 'acme'),
    track('search', 'u_2', 20, 'acme'),
    track('search', 'u_2', 20, 'acme'),
    track('login', 'u_2', 25, 'acme'),
    seen('u_3', 16, 'globex'),
    track('search', 'u_3', 50, 'globex'),
    track('report.export', 'u_4', 2),
  ]
}

/** Send events as one batch with a write key; returns the answer body. */
export async function sendBatch(url: string, writeKey: string, batch: readonly object[]) {
  const res = await fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${writeKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ sentAt: new Date().toISOString(), batch }),
  })
  if (res.status !== 200) throw new Error(`batch answered ${res.status}: ${await res.text()}`)
  return (await res.json()) as { accepted: number; duplicates: number; rejected: unknown[] }
}

/** Distinct active users per UTC day, from the seeded events (the reference model). */
export function activeByDay(events: SeedEvent[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>()
  for (const e of events) {
    const day = e.timestamp.slice(0, 10)
    const set = out.get(day) ?? new Set<string>()
    set.add(e.userId)
    out.set(day, set)
  }
  return out
}

/** Every `step` days from `from` to `to` days ago (both included, `from` ≤ `to`). */
const everyNth = (from: number, to: number, step: number) =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step)

/**
 * A richer history for the dashboard: four accounts, users who stay, slow down, went quiet 10,
 * 20, 35 and 45 days ago, a new user, trial users seen once, and an id a spreadsheet would run.
 * - u_1 (acme): daily for 60 days, today included; search and login.
 * - u_2 (acme): every 3rd day from 10 to 40 days ago (quiet 10 days).
 * - u_3 (globex): every other day from 20 to 50 days ago (quiet 20 days).
 * - u_4 (globex): every 5th day from 35 to 80 days ago (quiet 35 days).
 * - u_5 (initech): new, days 0 to 3.
 * - u_6 (no account): weekly from 0 to 119 days ago, a report export each time.
 * - t_1…t_8 (no account): seen once, 15 to 22 days ago.
 * - u_7 (acme): daily from 69 to 15 days ago, then once 5 days ago: declining, not quiet.
 * - `=1+2` (account `@evil`): seen 45 days ago.
 */
export function dashboardHistory(): SeedEvent[] {
  return [
    ...everyNth(0, 59, 1).flatMap((n) => [
      track('search', 'u_1', n, 'acme'),
      ...(n % 4 === 0 ? [track('login', 'u_1', n, 'acme')] : []),
    ]),
    ...everyNth(10, 40, 3).map((n) => track('search', 'u_2', n, 'acme')),
    ...everyNth(20, 50, 2).map((n) => seen('u_3', n, 'globex')),
    ...everyNth(35, 80, 5).map((n) => track('login', 'u_4', n, 'globex')),
    ...everyNth(0, 3, 1).map((n) => track('search', 'u_5', n, 'initech')),
    ...everyNth(0, 119, 7).map((n) => track('report.export', 'u_6', n)),
    ...everyNth(15, 22, 1).map((n, i) => seen(`t_${i + 1}`, n)),
    ...everyNth(15, 69, 1).map((n) => seen('u_7', n, 'acme')),
    track('search', 'u_7', 5, 'acme'),
    seen('=1+2', 45, '@evil'),
  ]
}

/**
 * Who the users and accounts of {@link dashboardHistory} are: names, e-mails, plans, MRR, and an
 * account name a spreadsheet would run.
 */
export function dashboardTraits(): object[] {
  return [
    identifyEvent('u_1', { email: 'ann@acme.io', name: 'Ann Lee', plan: 'pro' }),
    identifyEvent('u_2', { email: 'bob@acme.io', name: 'Bob Stone', plan: 'free' }),
    identifyEvent('u_7', { email: 'cy@acme.io', name: 'Cy Slow', plan: 'pro', seats: 3 }),
    identifyEvent('u_3', { email: 'dee@globex.com', name: 'Dee' }),
    groupEvent('acme', { name: 'Acme, Inc', mrr: 490 }),
    groupEvent('globex', { name: 'Globex', mrr: 1200 }),
    groupEvent('@evil', { name: '=HYPERLINK("http://evil.example")' }),
  ]
}
