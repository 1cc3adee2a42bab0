/**
 * @module
 * Child process: the engine's limit. Opens the service's own schema (through `startServer`,
 * so the tables and materialized views are exactly the service's), then inserts the same rows
 * the HTTP benchmark sends straight into `events_in` through `@clickhouse/client`, in large
 * inserts, with no HTTP and no validation, as the service's writer does (TabSeparated, the
 * views written side by side). Also inserts them into a plain MergeTree table shaped like the
 * raw events table (no materialized views). Reports rows per second.
 *
 * Usage: node --import tsx ingest/raw-insert.ts [rows] [rowsPerInsert]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { report } from '../lib/child.js'
import { startBenchService } from '../lib/service.js'
import { baselineTableSql, type EventRow, eventRows } from './rows.js'

const total = Number(process.argv[2] ?? 1_000_000)
const perInsert = Number(process.argv[3] ?? 50_000)
const dir = mkdtempSync(join(tmpdir(), 'lastseen-bench-raw-'))
const server = await startBenchService(dir)
const { client, database } = server.storage
try {
  await client.command({ query: 'CREATE DATABASE IF NOT EXISTS raw_plain' })
  await client.command({ query: baselineTableSql('raw_plain.events') })

  const COLUMNS =
    'project_id, id, type, event, user_id, account_id, timestamp, client_timestamp, sent_at, received_at, properties, count, flags'
  const PLAIN_COLUMNS =
    'project_id, id, event, user_id, account_id, timestamp, sent_at, received_at, properties, count, flags'
  const schemaLine = (r: EventRow) =>
    `${r.project_id}\t${r.id}\ttrack\t${r.event}\t${r.user_id}\t${r.account_id}\t${r.timestamp}\t\\N\t${r.sent_at}\t${r.received_at}\t${r.properties}\t1\t0\n`
  const plainLine = (r: EventRow) =>
    `${r.project_id}\t${r.id}\t${r.event}\t${r.user_id}\t${r.account_id}\t${r.timestamp}\t${r.sent_at}\t${r.received_at}\t${r.properties}\t1\t0\n`

  const rate = async (query: string, line: (r: EventRow) => string): Promise<number> => {
    const rows = eventRows(total)
    const insert = async (slice: EventRow[]) => {
      const result = await client.exec({ query, values: Readable.from([slice.map(line).join('')]) })
      for await (const _ of result.stream) {
      }
    }
    // One small insert first, so the timed ones find everything warm.
    await insert(rows.slice(0, 100))
    const start = process.hrtime.bigint()
    for (let from = 100; from < rows.length; from += perInsert) {
      await insert(rows.slice(from, from + perInsert))
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9
    return (rows.length - 100) / seconds
  }

  const schema = await rate(
    `INSERT INTO ${database}.events_in (${COLUMNS}) SETTINGS parallel_view_processing = 1 FORMAT TabSeparated`,
    schemaLine,
  )
  const plain = await rate(
    `INSERT INTO raw_plain.events (${PLAIN_COLUMNS}) FORMAT TabSeparated`,
    plainLine,
  )
  report({ schema, plain, rows: total, perInsert })
} finally {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
}
process.exit(0)
