/**
 * @module
 * Child process: the lastseen ingestion service as users run it (`startServer(readConfig())`),
 * on embedded chDB in a fresh directory, on 127.0.0.1. Reports `{ url }`; on `{ cmd: 'count' }`
 * reports how many distinct events are stored; removes its directory on SIGTERM.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readConfig, startServer } from '@lastseen/ingest'
import { onParentMessage, report } from '../lib/child.js'

export const WRITE_KEY = 'lsw_bench_write_key_0123456789'
export const READ_KEY = 'lsr_bench_read_key_0123456789'

const dir = process.env.BENCH_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'lastseen-bench-'))
const keep = Boolean(process.env.BENCH_DATA_DIR)
const server = await startServer(
  readConfig({
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    LASTSEEN_DATA_DIR: dir,
    LASTSEEN_WRITE_KEY: WRITE_KEY,
    LASTSEEN_READ_KEY: READ_KEY,
  }),
)
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
