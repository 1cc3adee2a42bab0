/**
 * @module
 * Child process for ingest/fsync.ts: what fsync adds to one group insert, without HTTP. Opens
 * the service's own schema (through `startServer`), then stores groups of events as the
 * service's writer does — one insert into `events_in` (its views write 7 tables), then one of
 * their ids into `event_ids` — timing each group, with the MergeTree tables switched between
 * the fsync modes in turns of `perTurn` groups, so the machine's noise falls on every mode.
 * Reports the median and p90 time of a group per mode, in ms.
 *
 * Usage: node --import tsx ingest/fsync-insert.ts [groupEvents] [turns] [perTurn]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { report } from '../lib/child.js'
import { startBenchService } from '../lib/service.js'
import { percentile } from '../lib/stats.js'
import { eventRows } from './rows.js'

const groupEvents = Number(process.argv[2] ?? 250)
const turns = Number(process.argv[3] ?? 6)
const perTurn = Number(process.argv[4] ?? 10)

/** MergeTree settings of each mode. */
const MODES = {
  off: 'fsync_after_insert = 0, fsync_part_directory = 0, min_rows_to_fsync_after_merge = 0',
  files: 'fsync_after_insert = 1, fsync_part_directory = 0, min_rows_to_fsync_after_merge = 0',
  on: 'fsync_after_insert = 1, fsync_part_directory = 1, min_rows_to_fsync_after_merge = 1',
} as const
type Mode = keyof typeof MODES

const dir = mkdtempSync(join(tmpdir(), 'lastseen-bench-fsync-'))
const server = await startBenchService(dir)
const { client, database } = server.storage
try {
  const tables = await client.query({
    query: `SELECT name FROM system.tables WHERE database = {db:String} AND engine LIKE '%MergeTree'`,
    query_params: { db: database },
    format: 'JSONEachRow',
  })
  const names = (await tables.json<{ name: string }>()).map((t) => t.name)
  const setMode = async (mode: Mode) => {
    for (const name of names) {
      await client.command({
        query: `ALTER TABLE ${database}.${name} MODIFY SETTING ${MODES[mode]}`,
      })
    }
  }
  const rows = eventRows(groupEvents * (turns * perTurn * 3 + 1))
  let next = 0
  const group = async () => {
    const values = rows.slice(next, next + groupEvents)
    next += groupEvents
    const start = process.hrtime.bigint()
    await client.insert({ table: `${database}.events_in`, values, format: 'JSONEachRow' })
    await client.insert({
      table: `${database}.event_ids`,
      values: values.map((r) => ({
        project_id: r.project_id,
        id: r.id,
        user_id: r.user_id,
        received_at: r.received_at,
      })),
      format: 'JSONEachRow',
    })
    return Number(process.hrtime.bigint() - start) / 1e6
  }
  await group()
  const times: Record<Mode, number[]> = { off: [], files: [], on: [] }
  const modes = Object.keys(MODES) as Mode[]
  for (let turn = 0; turn < turns; turn++) {
    for (let i = 0; i < modes.length; i++) {
      const mode = modes[(i + turn) % modes.length] as Mode
      await setMode(mode)
      for (let g = 0; g < perTurn; g++) times[mode].push(await group())
    }
  }
  const summary = Object.fromEntries(
    modes.map((mode) => [
      mode,
      { p50: percentile(times[mode], 50), p90: percentile(times[mode], 90) },
    ]),
  )
  report({ groupEvents, groups: turns * perTurn, ...summary })
} finally {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
}
process.exit(0)
