/**
 * @module
 * A known history for insights tests, sent through `POST /v1/batch` with explicit old
 * timestamps (backfill), and a small reference model of who was active on which day, so tests
 * can compute the exact expected answers independently of the SQL.
 */
import { addDays, dayOf } from '../../src/insights/days.js'

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
