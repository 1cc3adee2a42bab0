/**
 * @module
 * Benchmark 3, ingest throughput: sustained events/s and acknowledgement latency of
 * `POST /v1/batch` with batches of 100 events on the embedded store, side by side in the same
 * run with a one-INSERT-per-request baseline and with the raw insert rate of the same rows
 * into chDB (the engine's limit). Each system runs in its own child process; autocannon, in
 * this process, is the load generator on the same machine. Then each HTTP system again at
 * half of its own peak rate, for latency under normal load. Writes the `ingest-throughput`
 * section of docs/benchmarks.md.
 *
 * Goals: ≥ 50,000 events/s with 8 connections, p99 ack ≤ 100 ms at half of peak, and
 * ≥ 60 % of the engine's raw insert rate into the same schema measured in the same run.
 *
 * Usage: tsx ingest/throughput.ts [--rounds 3] [--duration 10] [--connections 8] [--no-write]
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
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '8' },
    'raw-rows': { type: 'string', default: '1000000' },
    'no-write': { type: 'boolean', default: false },
  },
})
const rounds = Number(values.rounds)
const duration = Number(values.duration)
const connections = Number(values.connections)
const rawRows = Number(values['raw-rows'])
const BATCH = 100

type System = 'lastseen' | 'baseline'
const SCRIPTS: Record<System, string> = {
  lastseen: './server-lastseen.ts',
  baseline: './server-baseline.ts',
}

interface Load {
  eventsPerSec: number
  acked: number
  p50: number
  p99: number
  non2xx: number
  errors: number
  codes: string
}

async function load(url: string, seconds: number, rate?: number): Promise<Load> {
  let acked = 0
  const result = await postBatches({
    url,
    connections,
    seconds,
    batch: BATCH,
    rate,
    timeout: 30,
    onAccepted: (n) => {
      acked += n
    },
  })
  const codes = Object.entries(result.statusCodeStats ?? {})
    .map(([code, s]) => `${code}×${s.count}`)
    .join(' ')
  return {
    eventsPerSec: acked / result.duration,
    acked,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    codes,
  }
}

interface SystemRun {
  warm: Load
  peak: Load
  half: Load
  stored: number
}

async function runSystem(system: System): Promise<SystemRun> {
  const child = startChild(SCRIPTS[system], import.meta.url)
  try {
    const { url } = await child.next<{ url: string }>(120_000)
    const warm = await load(url, 2)
    const peak = await load(url, duration)
    await sleep(1_000)
    const halfRate = Math.max(1, Math.round(peak.eventsPerSec / BATCH / 2))
    const half = await load(url, duration, halfRate)
    await sleep(1_000)
    child.send({ cmd: 'count' })
    const { stored } = await child.next<{ stored: number }>(60_000)
    const line = (name: string, l: Load) =>
      `${system.padEnd(9)} ${name}: ${int(l.eventsPerSec).padStart(8)} events/s  p50 ${l.p50} ms  p99 ${l.p99} ms` +
      (l.non2xx || l.errors ? `  non-2xx ${l.non2xx} errors ${l.errors} [${l.codes}]` : '')
    console.log(line('peak', peak))
    console.log(line('half', half))
    console.log(`${system.padEnd(9)} stored ${int(stored)} distinct events`)
    return { warm, peak, half, stored }
  } finally {
    await child.stop()
  }
}

interface Raw {
  schema: number
  plain: number
}

async function runRaw(): Promise<Raw> {
  const child = startChild('./raw-insert.ts', import.meta.url, {
    args: [String(rawRows), '50000'],
  })
  try {
    const raw = await child.next<Raw>(300_000)
    console.log(
      `raw       ${int(raw.schema)} rows/s into the service's schema, ${int(raw.plain)} rows/s into a plain MergeTree`,
    )
    return raw
  } finally {
    await child.stop()
  }
}

const results: { lastseen: SystemRun; baseline: SystemRun; raw: Raw }[] = []
for (let round = 0; round < rounds; round++) {
  console.log(`\n-- round ${round + 1}/${rounds}`)
  const order: System[] = round % 2 === 0 ? ['lastseen', 'baseline'] : ['baseline', 'lastseen']
  const runs = {} as Record<System, SystemRun>
  for (const system of order) runs[system] = await runSystem(system)
  const raw = await runRaw()
  results.push({ ...runs, raw })
}

const m = (f: (r: (typeof results)[number]) => number) => median(results.map(f))
const ls = (r: (typeof results)[number]) => r.lastseen
const bl = (r: (typeof results)[number]) => r.baseline
const peakLs = m((r) => ls(r).peak.eventsPerSec)
const peakBl = m((r) => bl(r).peak.eventsPerSec)
const vsBaseline = m((r) => ls(r).peak.eventsPerSec / bl(r).peak.eventsPerSec)
const ofSchema = m((r) => ls(r).peak.eventsPerSec / r.raw.schema)
const p99Half = m((r) => ls(r).half.p99)
const errors = (s: (r: (typeof results)[number]) => SystemRun) =>
  results.reduce(
    (n, r) => n + s(r).peak.non2xx + s(r).peak.errors + s(r).half.non2xx + s(r).half.errors,
    0,
  )
const acked = (s: (r: (typeof results)[number]) => SystemRun) =>
  results.reduce((n, r) => n + s(r).warm.acked + s(r).peak.acked + s(r).half.acked, 0)
const stored = (s: (r: (typeof results)[number]) => SystemRun) =>
  results.reduce((n, r) => n + s(r).stored, 0)

// Three load phases per system and round, each ending with up to `connections` requests open.
const inFlight = 3 * rounds * connections * BATCH

const rawSchema = m((r) => r.raw.schema)
const goal = (ok: boolean) => (ok ? 'met' : '**missed**')
const markdown = `
${runContext(`cd bench && npx tsx ingest/throughput.ts --rounds ${rounds} --duration ${duration} --connections ${connections}`)}

${table(
  [
    'system',
    'peak events/s',
    'ack p50 / p99 at peak',
    'ack p50 / p99 at half of peak',
    'vs baseline',
    'non-2xx / errors',
    'acknowledged / stored',
  ],
  [
    [
      '**lastseen ingest** (`POST /v1/batch`, embedded chDB)',
      int(peakLs),
      `${fixed(
        m((r) => ls(r).peak.p50),
        0,
      )} / ${fixed(
        m((r) => ls(r).peak.p99),
        0,
      )} ms`,
      `${fixed(
        m((r) => ls(r).half.p50),
        0,
      )} / ${fixed(p99Half, 0)} ms`,
      ratio(vsBaseline),
      String(errors(ls)),
      `${int(acked(ls))} / ${int(stored(ls))}`,
    ],
    [
      'one INSERT per request (Hono + chDB)',
      int(peakBl),
      `${fixed(
        m((r) => bl(r).peak.p50),
        0,
      )} / ${fixed(
        m((r) => bl(r).peak.p99),
        0,
      )} ms`,
      `${fixed(
        m((r) => bl(r).half.p50),
        0,
      )} / ${fixed(
        m((r) => bl(r).half.p99),
        0,
      )} ms`,
      '1×',
      String(errors(bl)),
      `${int(acked(bl))} / ${int(stored(bl))}`,
    ],
    [
      "raw inserts into the service's schema (engine limit)",
      int(m((r) => r.raw.schema)),
      '—',
      '—',
      ratio(m((r) => r.raw.schema / bl(r).peak.eventsPerSec)),
      '—',
      '—',
    ],
    [
      'raw inserts into a plain MergeTree (no views)',
      int(m((r) => r.raw.plain)),
      '—',
      '—',
      ratio(m((r) => r.raw.plain / bl(r).peak.eventsPerSec)),
      '—',
      '—',
    ],
  ],
)}

Goals: ≥ 50,000 events/s: ${goal(peakLs >= 50_000)} (${int(peakLs)}); p99 ack ≤ 100 ms at
half of peak: ${goal(p99Half <= 100)} (${fixed(p99Half, 0)} ms); ≥ 60 % of the engine's raw insert
rate into the same schema, measured in the same run: ${goal(ofSchema >= 0.6)} (${fixed(ofSchema * 100, 0)} %, of
${int(rawSchema)} rows/s). lastseen serves ${ratio(vsBaseline)} the one-INSERT-per-request baseline.

Medians of ${rounds} rounds (ratios are medians of per-round ratios). Each round starts every
system in its own child process on a fresh embedded store, warms it for 2 s, then drives it
for ${duration} s with autocannon from the parent process (${connections} connections, batches of
${BATCH} events, every event a new UUID, so none is a duplicate), then for ${duration} s at half of
the peak it just measured (a fixed request rate, latencies corrected for coordinated
omission). "Acknowledged" counts events in 200 answers' \`accepted\` (warm-up included, all
rounds); "stored" counts distinct ids in the table afterwards. Stored may exceed acknowledged
by the requests still in flight when a load phase ends (their answers are not read): at most
${int(inFlight)} events here; lastseen: ${int(stored(ls) - acked(ls))}, baseline: ${int(stored(bl) - acked(bl))}. An acknowledged event missing
from the table would show as stored < acknowledged. Raw inserts: ${int(rawRows)} of the same rows in inserts of
50,000 rows, straight through \`@clickhouse/client\` on chDB in one process, no HTTP.
`
console.log(markdown)
if (!values['no-write']) writeSection('ingest-throughput', markdown)
