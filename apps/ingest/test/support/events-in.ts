/**
 * @module
 * Writing rows straight into `events_in` as the write path does (one INSERT, fanned out by the
 * views), and reading rows back: for tests of the schema and its migrations.
 */
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
