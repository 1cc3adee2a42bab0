/**
 * @module
 * Child process: the lastseen service on embedded chDB with a seeded history. Seeding is one
 * `INSERT … SELECT … FROM numbers()` per million events straight into the service's
 * `events_in` table (so its materialized views fill the raw table and the aggregates exactly
 * as live traffic would), before any request is served, then waits for background merges to
 * finish (at most 3 minutes). Reports `{ url, seedMs, settleMs, events }`.
 *
 * History: 100,000 users in 5,000 accounts; user `u_k` was last active about `k % 60` days ago
 * and active during the 30 days before that; ten event names, `login` among them.
 *
 * Usage: node --import tsx insights/seeded-server.ts <events> <users> [dataDir]
 * With a `dataDir` that already holds the history, seeding is skipped and the directory kept.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { report } from '../lib/child.js'
import { seedInsightsHistory, settleMerges } from '../lib/history.js'
import { startBenchService } from '../lib/service.js'

const events = Number(process.argv[2] ?? 10_000_000)
const users = Number(process.argv[3] ?? 100_000)
const given = process.argv[4]
const dir = given ?? mkdtempSync(join(tmpdir(), 'lastseen-bench-insights-'))

const server = await startBenchService(dir)
const { client, database } = server.storage

const countEvents = async () => {
  const result = await client.query({
    query: `SELECT count() AS n FROM ${database}.events`,
    format: 'JSONEachRow',
  })
  return Number((await result.json<{ n: string | number }>())[0]?.n ?? 0)
}

const CHUNK = 1_000_000
let seedMs = 0
const before = await countEvents()
if (before < events) {
  const start = Date.now()
  for (let from = before; from < events; from += CHUNK) {
    const n = Math.min(CHUNK, events - from)
    await seedInsightsHistory(client, database, from, n, users)
    console.log(`seeded ${from + n} events`)
  }
  seedMs = Date.now() - start
}

// Let background merges of the freshly inserted parts finish (bounded), as they would have on
// a store that has been running; timing during a merge storm measures the merges.
const settleMs = await settleMerges(client, database, 180_000)

report({ url: server.url, seedMs, settleMs, events: await countEvents() })

process.once('SIGTERM', async () => {
  await server.close()
  if (!given) rmSync(dir, { recursive: true, force: true })
  process.exit(0)
})
