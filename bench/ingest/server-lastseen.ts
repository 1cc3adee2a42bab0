/**
 * @module
 * Child process: the lastseen ingestion service as users run it (`startServer(readConfig())`),
 * on embedded chDB in a fresh directory, on 127.0.0.1. Reports `{ url }`; on `{ cmd: 'count' }`
 * reports how many distinct events are stored; removes its directory on SIGTERM.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
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
// With BENCH_EVENT_LOOP_DELAY set: how long the event loop is held, for ingest/profile.ts.
const delay = process.env.BENCH_EVENT_LOOP_DELAY
  ? monitorEventLoopDelay({ resolution: 1 })
  : undefined
delay?.enable()
report({ url: server.url })

/**
 * CPU time used so far, in µs: by the whole process (every thread: the engine's too) and by
 * the main thread alone (from /proc, Linux only; null elsewhere).
 */
function cpuTime(): { process: number; main: number | null } {
  const { user, system } = process.cpuUsage()
  let main: number | null = null
  try {
    // Fields 14 and 15 (utime, stime) after the command name, in clock ticks (100 per second).
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    main = (Number(fields[11]) + Number(fields[12])) * 10_000
  } catch {}
  return { process: user + system, main }
}

/** For ingest/profile.ts: the CPU profile of the load phase alone (what `--cpu-prof` records). */
let profiler: Session | undefined
onParentMessage(async (message) => {
  const cmd = (message as { cmd?: string }).cmd
  if (cmd === 'delay-reset') delay?.reset()
  if (cmd === 'cpu') report(cpuTime())
  if (cmd === 'delay' && delay) {
    const ms = (ns: number) => ns / 1e6
    report({ p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) })
  }
  if (cmd === 'profile-start') {
    profiler = new Session()
    profiler.connect()
    await profiler.post('Profiler.enable')
    await profiler.post('Profiler.setSamplingInterval', { interval: 500 })
    await profiler.post('Profiler.start')
    report({ profiling: true })
  }
  if (cmd === 'profile-stop' && profiler) {
    const { profile } = await profiler.post('Profiler.stop')
    profiler.disconnect()
    const file = (message as { file: string }).file
    writeFileSync(file, JSON.stringify(profile))
    report({ file })
  }
  if (cmd === 'count') {
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
