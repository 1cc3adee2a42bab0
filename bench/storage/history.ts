/**
 * @module
 * Child process of `storage/disk.ts`: the lastseen service on a fresh embedded store, filled
 * with one history, then measured. Reports `{ history, events, loadMs, settleMs, tables,
 * columns }` once background merges have finished (at most 5 minutes), then exits.
 *
 * Histories:
 * - `insights`: the insights benchmark's (`lib/history.ts`), inserted straight into `events_in`;
 * - `batch`: track events sent through `POST /v1/batch` in batches of 1,000 (four requests in
 *   flight), replaying 60 days in time order: event `i` has timestamp `60 days × i / events`
 *   after the start, a user drawn by a hash of `i` among `users` (in `users / 20` accounts),
 *   one of the same ten names, the same tiny `properties`, a new random UUID.
 *
 * Usage: node --import tsx storage/history.ts <insights|batch> <events> <users>
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { report } from '../lib/child.js'
import { EVENT_NAMES, seedInsightsHistory, settleMerges } from '../lib/history.js'
import { WRITE_KEY } from '../lib/keys.js'
import { startBenchService } from '../lib/service.js'

const history = process.argv[2]
const events = Number(process.argv[3] ?? 1_000_000)
const users = Number(process.argv[4] ?? 10_000)
if (history !== 'insights' && history !== 'batch') throw new Error('history: insights or batch')

const dir = mkdtempSync(join(tmpdir(), 'lastseen-bench-disk-'))
const server = await startBenchService(dir)
const { client, database } = server.storage

const BATCH = 1000
const IN_FLIGHT = 4
const DAY_MS = 86_400_000

/** A small deterministic hash of `i`, for picking users and names. */
const mix = (i: number) => {
  let x = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b)
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35)
  return (x ^ (x >>> 16)) >>> 0
}

async function sendBatches(): Promise<void> {
  const start = Date.now() - 60 * DAY_MS
  const accounts = Math.max(1, Math.round(users / 20))
  const body = (first: number) => {
    const batch: string[] = []
    for (let i = first; i < Math.min(events, first + BATCH); i++) {
      const user = mix(i) % users
      const name = EVENT_NAMES[mix(i + 0x5bd1e995) % EVENT_NAMES.length]
      const timestamp = new Date(start + Math.floor((60 * DAY_MS * i) / events)).toISOString()
      batch.push(
        `{"id":"${randomUUID()}","type":"track","event":"${name}","userId":"u_${user}","accountId":"a_${user % accounts}","timestamp":"${timestamp}","properties":{"query":"q"}}`,
      )
    }
    return `{"sentAt":"${new Date().toISOString()}","batch":[${batch.join(',')}]}`
  }
  let next = 0
  const worker = async () => {
    for (;;) {
      const first = next
      next += BATCH
      if (first >= events) return
      const payload = body(first)
      for (let attempt = 0; ; attempt++) {
        const res = await fetch(`${server.url}/v1/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${WRITE_KEY}` },
          body: payload,
        })
        const text = await res.text()
        if (res.ok) break
        if (attempt > 20 || (res.status !== 429 && res.status !== 503)) {
          throw new Error(`POST /v1/batch: ${res.status} ${text}`)
        }
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
}

const loadStart = Date.now()
if (history === 'insights') {
  for (let from = 0; from < events; from += 1_000_000) {
    await seedInsightsHistory(client, database, from, Math.min(1_000_000, events - from), users)
  }
} else {
  await sendBatches()
}
const loadMs = Date.now() - loadStart

const settleMs = await settleMerges(client, database, 300_000)

const query = async <T>(sql: string) => {
  const result = await client.query({
    query: sql,
    query_params: { db: database },
    format: 'JSONEachRow',
  })
  return result.json<T>()
}

/** Active parts per table: bytes on disk (data, marks, index, checksums) and rows. */
const tables = await query<{ table: string; bytes: string; rows: string; parts: string }>(
  `SELECT table, sum(bytes_on_disk) AS bytes, sum(rows) AS rows, count() AS parts
   FROM system.parts WHERE database = {db:String} AND active
   GROUP BY table ORDER BY table`,
)
/** Compressed bytes per column of the active parts. */
const columns = await query<{ table: string; column: string; bytes: string; raw: string }>(
  `SELECT table, column, sum(column_data_compressed_bytes) AS bytes,
          sum(column_data_uncompressed_bytes) AS raw
   FROM system.parts_columns WHERE database = {db:String} AND active
   GROUP BY table, column ORDER BY table, bytes DESC`,
)
const [stored] = await query<{ n: string }>(`SELECT uniqExact(id) AS n FROM ${database}.events`)

report({
  history,
  events: Number(stored?.n ?? 0),
  loadMs,
  settleMs,
  tables: tables.map((t) => ({
    table: t.table,
    bytes: Number(t.bytes),
    rows: Number(t.rows),
    parts: Number(t.parts),
  })),
  columns: columns.map((c) => ({
    table: c.table,
    column: c.column,
    bytes: Number(c.bytes),
    raw: Number(c.raw),
  })),
})

await server.close()
rmSync(dir, { recursive: true, force: true })
process.exit(0)
