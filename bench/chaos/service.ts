/**
 * @module
 * Child process: the service on the embedded store in `BENCH_DATA_DIR`, on `BENCH_PORT`, as a
 * chaos scenario kills and restarts it. Reports `{ url }` once listening; on `{ cmd: 'verify' }`
 * reports what is stored of the scenario's events (`event = 'chaos'`); SIGTERM stops it
 * gracefully, as an operator's restart does.
 */
import { onParentMessage, report } from '../lib/child.js'
import { startBenchService } from '../lib/service.js'

const dataDir = process.env.BENCH_DATA_DIR
if (!dataDir) throw new Error('BENCH_DATA_DIR is required')
const server = await startBenchService(dataDir, Number(process.env.BENCH_PORT ?? 0))
report({ url: server.url })

/** What the raw table holds of the scenario's events, and what the aggregates answer. */
export interface Stored {
  /** Rows of `events` after merging replaced rows (FINAL). */
  rows: number
  /** Distinct event ids. */
  ids: number
  /** Distinct sequence numbers (one per `track()` call of the load). */
  seqs: number
  /** Events counted by `event_totals`, the aggregate `GET /v1/events` answers from. */
  counted: number
  /**
   * The sum over users of each user's events per day, read as `GET /v1/users/:userId` reads
   * them (`event_days`, per user, day and name; `user_timeline` for the days).
   */
  perUser: number
  /** Sequence numbers below `calls` that are not stored, as `[first, last]` runs (first 20). */
  missing: [number, number][]
}

onParentMessage(async (message) => {
  const { cmd, calls = 0 } = message as { cmd?: string; calls?: number }
  if (cmd !== 'verify') return
  const { client, database } = server.storage
  const one = async (query: string) => {
    const result = await client.query({ query, format: 'JSONEachRow' })
    const rows = await result.json<{ n: string | number }>()
    return Number(rows[0]?.n ?? 0)
  }
  const stored: Stored = {
    rows: await one(`SELECT count() AS n FROM ${database}.events FINAL WHERE event = 'chaos'`),
    ids: await one(`SELECT uniqExact(id) AS n FROM ${database}.events WHERE event = 'chaos'`),
    seqs: await one(
      `SELECT uniqExact(JSONExtractUInt(properties, 'seq')) AS n FROM ${database}.events WHERE event = 'chaos'`,
    ),
    counted: 0,
    perUser: 0,
    missing: [],
  }
  const runs = await client.query({
    query: `SELECT min(s) AS first, max(s) AS last FROM (
              SELECT s, s - row_number() OVER (ORDER BY s) AS run FROM (
                SELECT arrayJoin(range({calls:UInt64})) AS s
                WHERE s NOT IN (SELECT JSONExtractUInt(properties, 'seq') FROM ${database}.events
                                WHERE event = 'chaos')))
            GROUP BY run ORDER BY first LIMIT 20`,
    query_params: { calls },
    format: 'JSONEachRow',
  })
  stored.missing = (await runs.json<{ first: string; last: string }>()).map((r) => [
    Number(r.first),
    Number(r.last),
  ])
  const to = new Date().toISOString().slice(0, 10)
  const from = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10)
  const { READ_KEY } = await import('../lib/keys.js')
  const res = await fetch(`${server.url}/v1/events?from=${from}&to=${to}`, {
    headers: { authorization: `Bearer ${READ_KEY}` },
  })
  const answer = (await res.json()) as { events?: { event: string; count: number }[] }
  stored.counted = answer.events?.find((e) => e.event === 'chaos')?.count ?? -1
  stored.perUser = await one(
    `SELECT sum(n) AS n FROM (SELECT user_id, day, uniqExactMerge(events) AS n
       FROM ${database}.event_days WHERE event = 'chaos' GROUP BY user_id, day)`,
  )
  report(stored)
})

process.once('SIGTERM', async () => {
  await server.close({ timeoutMs: 10_000 })
  process.exit(0)
})
