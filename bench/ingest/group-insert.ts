/**
 * @module
 * Child process: what one group insert of the writer costs on embedded chDB, per insert format
 * and setting, and whether it holds the event loop. Opens the service's own schema (through
 * `startServer`, fsync as configured), then stores groups of `groupEvents` events the way the
 * writer does (one insert into `events_in`, whose views fill the aggregates, then one of the
 * ids into `event_ids`), rotating between the variants in turns of `perTurn` groups so the
 * machine's noise falls on each alike. Meanwhile `monitorEventLoopDelay` samples the loop.
 * Reports p50/p90 ms per group and variant, the CPU time per group (all threads of this
 * process, the engine's background merges included), and the loop's delay.
 *
 * Usage: [VARIANTS='name|name'] node --import tsx ingest/group-insert.ts [groupEvents] [turns] [perTurn]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { Readable } from 'node:stream'
import { report } from '../lib/child.js'
import { startBenchService } from '../lib/service.js'
import { percentile } from '../lib/stats.js'
import { type EventRow, eventRows } from './rows.js'

const groupEvents = Number(process.argv[2] ?? 800)
const turns = Number(process.argv[3] ?? 5)
const perTurn = Number(process.argv[4] ?? 10)

const dir = mkdtempSync(join(tmpdir(), 'lastseen-bench-group-'))
const server = await startBenchService(dir)
const { client, database } = server.storage

const COLUMNS =
  'project_id, id, type, event, user_id, account_id, timestamp, client_timestamp, sent_at, received_at, properties, count, flags'
const tsv = (r: EventRow) =>
  `${r.project_id}\t${r.id}\ttrack\t${r.event}\t${r.user_id}\t${r.account_id}\t${r.timestamp}\t\\N\t${r.sent_at}\t${r.received_at}\t${r.properties}\t1\t0\n`
const json = (r: EventRow) =>
  `${JSON.stringify([r.project_id, r.id, 'track', r.event, r.user_id, r.account_id, r.timestamp, null, r.sent_at, r.received_at, r.properties, 1, 0])}\n`

async function exec(query: string, text: string) {
  const result = await client.exec({ query, values: Readable.from([text]) })
  for await (const _ of result.stream) {
  }
}

type Variant = {
  format: 'TabSeparated' | 'JSONCompactEachRow'
  settings: string
  /** Groups inserted at once, each of groupEvents / concurrent events. */
  concurrent?: number
  /** Leave out the insert into `event_ids` (to see what it costs). */
  noIds?: boolean
}
const SIDE_BY_SIDE = ' SETTINGS parallel_view_processing = 1'
const VARIANTS: Record<string, Variant> = {
  'TabSeparated, views one after another (before)': { format: 'TabSeparated', settings: '' },
  'TabSeparated, views side by side (the writer)': {
    format: 'TabSeparated',
    settings: SIDE_BY_SIDE,
  },
  'JSONCompactEachRow, views side by side': {
    format: 'JSONCompactEachRow',
    settings: SIDE_BY_SIDE,
  },
  'two half groups at once, views side by side': {
    format: 'TabSeparated',
    settings: SIDE_BY_SIDE,
    concurrent: 2,
  },
  'views side by side, without the event_ids insert': {
    format: 'TabSeparated',
    settings: SIDE_BY_SIDE,
    noIds: true,
  },
  'views side by side, query logs off': {
    format: 'TabSeparated',
    settings: `${SIDE_BY_SIDE}, log_queries = 0, log_query_views = 0, log_processors_profiles = 0`,
  },
  'views side by side, optimize_on_insert = 0': {
    format: 'TabSeparated',
    settings: `${SIDE_BY_SIDE}, optimize_on_insert = 0`,
  },
  'views side by side, max_threads = 1': {
    format: 'TabSeparated',
    settings: `${SIDE_BY_SIDE}, max_threads = 1`,
  },
  'views side by side, enable_analyzer = 0': {
    format: 'TabSeparated',
    settings: `${SIDE_BY_SIDE}, enable_analyzer = 0`,
  },
}
/** Variants to run, by name separated by `|` (default: all). */
const names = (process.env.VARIANTS ?? Object.keys(VARIANTS).join('|')).split('|')

const rows = eventRows(groupEvents * (turns * perTurn * names.length + 1))
let next = 0
/** CPU time of this process (every thread: the engine's too) per variant, in µs. */
const cpu: Record<string, number> = {}

async function group(v: Variant): Promise<number> {
  const slice = rows.slice(next, next + groupEvents)
  next += groupEvents
  const start = performance.now()
  const n = v.concurrent ?? 1
  const size = Math.ceil(slice.length / n)
  await Promise.all(
    Array.from({ length: n }, (_, i) => insertGroup(v, slice.slice(i * size, (i + 1) * size))),
  )
  return performance.now() - start
}

async function insertGroup(v: Variant, slice: EventRow[]): Promise<void> {
  const line = v.format === 'TabSeparated' ? tsv : json
  await exec(
    `INSERT INTO ${database}.events_in (${COLUMNS})${v.settings} FORMAT ${v.format}`,
    slice.map(line).join(''),
  )
  if (v.noIds) return
  await exec(
    `INSERT INTO ${database}.event_ids (project_id, id, user_id, received_at)${v.settings} FORMAT TabSeparated`,
    slice.map((r) => `${r.project_id}\t${r.id}\t${r.user_id}\t${r.received_at}\n`).join(''),
  )
}

try {
  await group(VARIANTS[names[0] as string] as Variant)
  const delay = monitorEventLoopDelay({ resolution: 1 })
  delay.enable()
  const times: Record<string, number[]> = {}
  for (let turn = 0; turn < turns; turn++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + turn) % names.length] as string
      const list = times[name] ?? []
      times[name] = list
      const before = process.cpuUsage()
      for (let g = 0; g < perTurn; g++) list.push(await group(VARIANTS[name] as Variant))
      const used = process.cpuUsage(before)
      cpu[name] = (cpu[name] ?? 0) + used.user + used.system
    }
  }
  delay.disable()
  const ms = (ns: number) => Math.round(ns / 1e4) / 100
  report({
    groupEvents,
    groups: turns * perTurn,
    ...Object.fromEntries(
      names.map((n) => [
        n,
        {
          p50: percentile(times[n] ?? [], 50),
          p90: percentile(times[n] ?? [], 90),
          cpuMsPerGroup: (cpu[n] ?? 0) / 1000 / (turns * perTurn),
        },
      ]),
    ),
    loopDelay: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
  })
} finally {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
}
process.exit(0)
