/**
 * @module
 * Benchmark: the cost of durable acknowledgements on the embedded store. ClickHouse leaves an
 * insert's parts in the page cache unless the table says `fsync_after_insert` (the part's
 * files) and `fsync_part_directory` (its directory entries); `LASTSEEN_FSYNC=on` (the
 * default) sets both, and has merged parts fsynced too (`min_rows_to_fsync_after_merge`).
 * The group commit makes one set of fsyncs per group and table, not per event.
 *
 * 1. One group insert as the service's writer makes it (`events_in` with its views, then
 *    `event_ids`), without HTTP, in a child (`ingest/fsync-insert.ts`) that switches the
 *    tables between the modes in turns: median and p90 time per group.
 * 2. The service over HTTP (`POST /v1/batch`, batches of 100) in each mode: peak events/s,
 *    and acknowledgement latency at a fixed moderate rate.
 *
 * Writes the `ingest-fsync` section of docs/benchmarks.md.
 *
 * Usage: tsx ingest/fsync.ts [--rounds 3] [--duration 4] [--rate 5000] [--no-write]
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { startChild } from '../lib/child.js'
import { fixed, int, ratio, table } from '../lib/format.js'
import { runContext, writeSection } from '../lib/report.js'
import { median } from '../lib/stats.js'
import { postBatches } from './batch-load.js'

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '4' },
    rate: { type: 'string', default: '5000' },
    connections: { type: 'string', default: '32' },
    'no-write': { type: 'boolean', default: false },
  },
})
const rounds = Number(values.rounds)
const duration = Number(values.duration)
const rate = Number(values.rate)
const connections = Number(values.connections)
const BATCH = 100

const MODES = {
  off: { label: '`LASTSEEN_FSYNC=off` (ClickHouse default)', env: { LASTSEEN_FSYNC: 'off' } },
  files: {
    label: '`fsync_after_insert` only',
    env: { LASTSEEN_FSYNC: 'on', BENCH_FSYNC_FILES_ONLY: '1' },
  },
  on: {
    label: '`LASTSEEN_FSYNC=on` (default: files, directories, merged parts)',
    env: { LASTSEEN_FSYNC: 'on' },
  },
} as const
type Mode = keyof typeof MODES

interface Load {
  eventsPerSec: number
  p50: number
  p99: number
  failed: number
}

async function load(url: string, seconds: number, requestsPerSec?: number): Promise<Load> {
  let acked = 0
  const result = await postBatches({
    url,
    connections,
    seconds,
    batch: BATCH,
    rate: requestsPerSec,
    timeout: 30,
    onAccepted: (n) => {
      acked += n
    },
  })
  return {
    eventsPerSec: acked / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failed: result.non2xx + result.errors + result.timeouts,
  }
}

interface ModeRun {
  peak: Load
  fixedRate: Load
}

async function runMode(mode: Mode): Promise<ModeRun> {
  const child = startChild('./server-lastseen.ts', import.meta.url, { env: MODES[mode].env })
  try {
    const { url } = await child.next<{ url: string }>(120_000)
    await load(url, 2)
    const peak = await load(url, duration)
    await sleep(500)
    const fixedRate = await load(url, duration, rate / BATCH)
    console.log(
      `${mode.padEnd(6)} peak ${int(peak.eventsPerSec)} events/s p50/p99 ${peak.p50}/${peak.p99} ms; ` +
        `at ${int(rate)}/s p50/p99 ${fixedRate.p50}/${fixedRate.p99} ms` +
        (peak.failed + fixedRate.failed ? `; failed ${peak.failed + fixedRate.failed}` : ''),
    )
    return { peak, fixedRate }
  } finally {
    await child.stop()
  }
}

type GroupTimes = Record<Mode, { p50: number; p90: number }> & {
  groupEvents: number
  groups: number
}

async function groupTimes(events: number): Promise<GroupTimes> {
  const child = startChild('./fsync-insert.ts', import.meta.url, {
    args: [String(events), '6', '10'],
  })
  try {
    const times = await child.next<GroupTimes>(300_000)
    console.log(
      `group of ${int(events)}: ` +
        (Object.keys(MODES) as Mode[])
          .map(
            (mode) =>
              `${mode} p50 ${fixed(times[mode].p50, 0)} ms p90 ${fixed(times[mode].p90, 0)} ms`,
          )
          .join('; '),
    )
    return times
  } finally {
    await child.stop()
  }
}

const groups = [await groupTimes(250), await groupTimes(2000)]

const results: Record<Mode, ModeRun>[] = []
const modes = Object.keys(MODES) as Mode[]
for (let round = 0; round < rounds; round++) {
  console.log(`\n-- round ${round + 1}/${rounds}`)
  const runs = {} as Record<Mode, ModeRun>
  // Rotate the order, so no mode always runs first on a cold machine.
  for (let i = 0; i < modes.length; i++) {
    const mode = modes[(i + round) % modes.length] as Mode
    runs[mode] = await runMode(mode)
  }
  results.push(runs)
}

const m = (f: (r: Record<Mode, ModeRun>) => number) => median(results.map(f))
const failed = (mode: Mode) =>
  results.reduce((n, r) => n + r[mode].peak.failed + r[mode].fixedRate.failed, 0)
const label = (mode: Mode) => (mode === 'on' ? `**${MODES[mode].label}**` : MODES[mode].label)
const ms = (n: number) => `${fixed(n, 0)} ms`

const groupRows = modes.map((mode) => [
  label(mode),
  ...groups.flatMap((g) => [
    `${ms(g[mode].p50)} / ${ms(g[mode].p90)}`,
    mode === 'off' ? '—' : `+${ms(g[mode].p50 - g.off.p50)}`,
  ]),
])
const httpRows = modes.map((mode) => [
  label(mode),
  int(m((r) => r[mode].peak.eventsPerSec)),
  mode === 'off' ? '1×' : ratio(m((r) => r[mode].peak.eventsPerSec / r.off.peak.eventsPerSec)),
  `${ms(m((r) => r[mode].peak.p50))} / ${ms(m((r) => r[mode].peak.p99))}`,
  `${ms(m((r) => r[mode].fixedRate.p50))} / ${ms(m((r) => r[mode].fixedRate.p99))}`,
  String(failed(mode)),
])

const markdown = `
${runContext(`cd bench && npx tsx ingest/fsync.ts --rounds ${rounds} --duration ${duration} --rate ${rate}`)}

One group insert, as the service's writer makes it, without HTTP (p50 / p90 of ${groups[0]?.groups} groups per mode):

${table(
  [
    'inserts',
    ...groups.flatMap((g) => [`group of ${int(g.groupEvents)} events`, 'added by fsync (p50)']),
  ],
  groupRows,
)}

The service over HTTP (medians of ${rounds} rounds; ratios are medians of per-round ratios):

${table(
  [
    'inserts',
    'peak events/s',
    'vs no fsync',
    'ack p50 / p99 at peak',
    `ack p50 / p99 at ${int(rate)} events/s`,
    'non-2xx / errors',
  ],
  httpRows,
)}

Embedded store on ext4 on the VM's virtual disk. Group inserts: a child process opens the
service's schema on a fresh store and stores groups the way the writer does (one insert into
\`events_in\`, whose views write 7 tables, then one into \`event_ids\`: 8 data parts of about a
dozen files each per group), switching every MergeTree table between the modes in turns of 10
groups, so the machine's noise falls on every mode alike. HTTP: each round starts the service
once per mode in its own child process on a fresh embedded store, in a rotating order, warms it
for 2 s, drives it for ${duration} s with autocannon (${connections} connections, batches of ${BATCH} new events),
then for ${duration} s at ${int(rate)} events/s (latencies corrected for coordinated omission).
`
console.log(markdown)
if (!values['no-write']) writeSection('ingest-fsync', markdown)
