/**
 * @module
 * Child process: the lastseen ingestion service as users run it (`startServer(readConfig())`),
 * on embedded chDB in a fresh directory, on 127.0.0.1. Reports `{ url }`; on `{ cmd: 'count' }`
 * reports how many distinct events are stored; removes its directory on SIGTERM.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onParentMessage, report } from '../lib/child.js'
import { startBenchService } from '../lib/service.js'

const dir = process.env.BENCH_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'lastseen-bench-'))
const keep = Boolean(process.env.BENCH_DATA_DIR)
const server = await startBenchService(dir)
if (process.env.BENCH_FSYNC_FILES_ONLY) {
  // For ingest/fsync.ts: of what LASTSEEN_FSYNC=on fsyncs, only the inserted parts' files.
  const { client, database } = server.storage
  const tables = await client.query({
    query: `SELECT name FROM system.tables WHERE database = {db:String} AND engine LIKE '%MergeTree'`,
    query_params: { db: database },
    format: 'JSONEachRow',
  })
  for (const { name } of await tables.json<{ name: string }>()) {
    await client.command({
      query: `ALTER TABLE ${database}.${name} MODIFY SETTING fsync_part_directory = 0, min_rows_to_fsync_after_merge = 0`,
    })
  }
}
report({ url: server.url })

onParentMessage(async (message) => {
  if ((message as { cmd?: string }).cmd === 'count') {
    const { client, database } = server.storage
    const result = await client.query({
      query: `SELECT uniqExact(id) AS n FROM ${database}.events`,
      format: 'JSONEachRow',
    })
    const rows = await result.json<{ n: string | number }>()
    report({ stored: Number(rows[0]?.n ?? 0) })
  }
})

process.once('SIGTERM', async () => {
  await server.close()
  if (!keep) rmSync(dir, { recursive: true, force: true })
  process.exit(0)
})
