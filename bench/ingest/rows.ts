/**
 * @module
 * The events every ingest benchmark sends: `search` events for 100,000 users in 1,000
 * accounts, each with a fresh UUID (unique across a run, so nothing is a duplicate), as wire
 * batches for HTTP and as `events_in` rows for direct inserts.
 */
import { randomBytes } from 'node:crypto'

const USERS = 100_000

/** Makes UUIDs unique within a run cheaply: a random prefix and a counter. */
export function uuidSource(): () => string {
  const r = randomBytes(10).toString('hex')
  const prefix = `${r.slice(0, 8)}-${r.slice(8, 12)}-4${r.slice(12, 15)}-8${r.slice(15, 18)}-`
  let n = 0
  return () => prefix + (n++).toString(16).padStart(12, '0')
}

/** A `POST /v1/batch` body of `size` new events, as a string. */
export function batchBodySource(size: number): () => string {
  const uuid = uuidSource()
  let k = 0
  return () => {
    const now = new Date().toISOString()
    const events: string[] = []
    for (let i = 0; i < size; i++) {
      const user = k++ % USERS
      events.push(
        `{"id":"${uuid()}","type":"track","event":"search","userId":"u_${user}","accountId":"a_${user % 1000}","timestamp":"${now}","properties":{"query":"q${k}"}}`,
      )
    }
    return `{"sentAt":"${now}","batch":[${events.join(',')}]}`
  }
}

/** A row of the service's `events_in` table, as the service writes one. */
export interface EventRow {
  project_id: string
  id: string
  type: 'track'
  event: string
  user_id: string
  account_id: string
  timestamp: string
  sent_at: string
  received_at: string
  properties: string
  count: number
  flags: number
}

/** `n` rows like those the HTTP benchmarks send. */
export function eventRows(n: number, projectId = 'default'): EventRow[] {
  const uuid = uuidSource()
  const now = new Date().toISOString().replace('T', ' ').replace('Z', '')
  const rows: EventRow[] = []
  for (let k = 0; k < n; k++) {
    const user = k % USERS
    rows.push({
      project_id: projectId,
      id: uuid(),
      type: 'track',
      event: 'search',
      user_id: `u_${user}`,
      account_id: `a_${user % 1000}`,
      timestamp: now,
      sent_at: now,
      received_at: now,
      properties: `{"query":"q${k}"}`,
      count: 1,
      flags: 0,
    })
  }
  return rows
}

/** The table the one-INSERT-per-request baseline writes to: the service's raw-events layout. */
export const baselineTableSql = (table: string) => `CREATE TABLE IF NOT EXISTS ${table} (
  project_id LowCardinality(String),
  id UUID,
  event LowCardinality(String),
  user_id String,
  account_id String,
  timestamp DateTime64(3, 'UTC'),
  sent_at DateTime64(3, 'UTC'),
  received_at DateTime64(3, 'UTC'),
  properties String CODEC(ZSTD(3)),
  count UInt32,
  flags UInt8
) ENGINE = MergeTree PARTITION BY toYYYYMM(timestamp) ORDER BY (project_id, user_id, timestamp, id)`
