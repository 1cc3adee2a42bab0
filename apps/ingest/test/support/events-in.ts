/**
 * @module
 * Writing rows straight into `events_in` as the write path does (one INSERT, fanned out by the
 * views), and reading rows back: for tests of the schema and its migrations.
 */
import { addDays } from '../../src/insights/days.js'
import type { Storage } from '../../src/storage/client.js'

/** A row of `events_in`; the times are ClickHouse text (`2026-11-01 12:00:00.000`, UTC). */
export interface EventsInRow {
  project_id: string
  id: string
  type: 'track' | 'seen'
  event: string
  user_id: string
  account_id: string
  timestamp: string
  /** When it was received; defaults to `timestamp`. */
  received_at?: string
}

/** One INSERT of `rows` into `events_in`; `sent_at` is the receive time. */
export async function writeEventsIn(storage: Storage, rows: readonly EventsInRow[]): Promise<void> {
  await storage.client.insert({
    table: `${storage.database}.events_in`,
    values: rows.map((r) => {
      const receivedAt = r.received_at ?? r.timestamp
      return { ...r, sent_at: receivedAt, received_at: receivedAt }
    }),
    format: 'JSONEachRow',
  })
}

/** The rows of `sql`, where `{db}` stands for the database. */
export async function queryRows<T>(storage: Storage, sql: string): Promise<T[]> {
  const result = await storage.client.query({
    query: sql.replaceAll('{db}', storage.database),
    format: 'JSONEachRow',
  })
  return result.json<T>()
}

let serial = 0

/**
 * `n` rows of a small project `p` (users `u_0`…`u_6`, half in account `acme`): a fifth
 * heartbeats, the rest `login` or `search`, with event times spread over the `spanDays` before
 * `today` and receive times over the `receivedSpanDays` before it (0: all received today).
 */
export function sampleRows(
  n: number,
  today: string,
  { spanDays, receivedSpanDays = 0 }: { spanDays: number; receivedSpanDays?: number },
): Required<EventsInRow>[] {
  return Array.from({ length: n }, () => {
    const i = serial++
    const type = i % 5 === 0 ? 'seen' : 'track'
    return {
      project_id: 'p',
      id: crypto.randomUUID(),
      type,
      event: type === 'seen' ? '' : i % 3 === 0 ? 'login' : 'search',
      user_id: `u_${i % 7}`,
      account_id: i % 2 ? 'acme' : '',
      timestamp: `${addDays(today, -((i * 37) % spanDays))} 12:00:00.000`,
      received_at: `${addDays(today, receivedSpanDays ? -((i * 11) % receivedSpanDays) : 0)} 08:00:00.000`,
    }
  })
}

/** Key → count, sorted, as text: easy to compare whole. */
export function tally(keys: string[]): string[] {
  const m = new Map<string, number>()
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1)
  return [...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => `${k} ${n}`)
}
