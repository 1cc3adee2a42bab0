/**
 * @module
 * Child process: the engine's limit. Opens the service's own schema (through `startServer`,
 * so the tables and materialized views are exactly the service's), then inserts the same rows
 * the HTTP benchmark sends straight into `events_in` through `@clickhouse/client`, in large
 * inserts, with no HTTP and no validation. Also inserts them into a plain MergeTree table
 * shaped like the raw events table (no materialized views). Reports rows per second.
 *
 * Usage: node --import tsx ingest/raw-insert.ts [rows] [rowsPerInsert]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { report } from '../lib/child.js'
import { startBenchService } from '../lib/service.js'
import { baselineTableSql, eventRows } from './rows.js'

const total = Number(process.argv[2] ?? 1_000_000)
const perInsert = Number(process.argv[3] ?? 50_000)
const dir = mkdtempSync(join(tmpdir(), 'lastseen-bench-raw-'))
const server = await startBenchService(dir)
const { client, database } = server.storage
try {
  await client.command({ query: 'CREATE DATABASE IF NOT EXISTS raw_plain' })
  await client.command({ query: baselineTableSql('raw_plain.events') })

  const rate = async (table: string, strip: boolean): Promise<number> => {
    const rows = eventRows(total).map((r) => {
      if (!strip) return r
      const { type: _type, ...rest } = r
      return rest
    })
    // One small insert first, so the timed ones find everything warm.
    await client.insert({ table, values: rows.slice(0, 100), format: 'JSONEachRow' })
    const start = process.hrtime.bigint()
    for (let from = 100; from < rows.length; from += perInsert) {
      await client.insert({
        table,
        values: rows.slice(from, from + perInsert),
        format: 'JSONEachRow',
      })
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9
    return (rows.length - 100) / seconds
  }

  const schema = await rate(`${database}.events_in`, false)
  const plain = await rate('raw_plain.events', true)
  report({ schema, plain, rows: total, perInsert })
} finally {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
}
process.exit(0)
