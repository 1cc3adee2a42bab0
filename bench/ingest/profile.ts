/**
 * @module
 * Where the service's CPU time goes under the ingest benchmark's load: the service
 * (`server-lastseen.ts`) runs under `node --cpu-prof` while autocannon sends `POST /v1/batch`
 * with batches of 100 over `--connections` for `--duration` seconds; then every profile sample
 * is put in the category of the deepest frame on its stack that one belongs to (body parsing,
 * validation, row building, serialisation, the insert, HTTP, GC, …) and reported as µs of
 * CPU per event stored, beside the event-loop delay the service measured meanwhile.
 *
 * Usage: tsx ingest/profile.ts [--duration 10] [--connections 8] [--keep DIR]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { startChild } from '../lib/child.js'
import { fixed, int } from '../lib/format.js'
import { postBatches } from './batch-load.js'

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '8' },
    keep: { type: 'string' },
  },
})
const duration = Number(values.duration)
const connections = Number(values.connections)
const BATCH = 100

/** Categories, tried from the leaf of a stack to its root: the first match takes the sample. */
const CATEGORIES: [string, RegExp][] = [
  ['profiler (stopping it; not counted)', /node:inspector/],
  ['GC', /^\(garbage collector\)$/],
  ['idle', /^\(idle\)$/],
  ['body parsing (JSON.parse, reading the body)', /ingest\/(request-body|json-error)\.ts/],
  ['validation (zod, event-check)', /ingest\/(validation|event-check)\.ts|\/zod\//],
  [
    'row building (event-rows, event-time)',
    /ingest\/(event-rows|event-time)\.ts|storage\/time\.ts/,
  ],
  ['group commit (dedup filter, queue)', /ingest\/group-commit\//],
  ['serialisation (event-store)', /storage\/event-store\.ts/],
  [
    'insert call (client, chDB binding, worker messages)',
    /@clickhouse|\/chdb\/|storage\/(chdb|client|deadline|engine)/,
  ],
  [
    'HTTP (node:http, hono, auth, answer)',
    /node:_http|node:net|node:stream|@hono|\/hono\/|src\/(http|app)|ingest\/(batch|track|write-events)\.ts|keys\//,
  ],
]

interface Node {
  id: number
  callFrame: { functionName: string; url: string }
  children?: number[]
}

function categorize(profile: { nodes: Node[]; samples: number[]; timeDeltas: number[] }) {
  const parent = new Map<number, number>()
  const byId = new Map<number, Node>()
  for (const n of profile.nodes) {
    byId.set(n.id, n)
    for (const c of n.children ?? []) parent.set(c, n.id)
  }
  const memo = new Map<number, string>()
  const categoryOf = (id: number): string => {
    const known = memo.get(id)
    if (known) return known
    let at: number | undefined = id
    let found = 'other (native, Node internals, tsx)'
    while (at !== undefined) {
      const f = (byId.get(at) as Node).callFrame
      const text = f.url ? `${f.url} ${f.functionName}` : f.functionName
      const hit = CATEGORIES.find(([, re]) => re.test(text))
      if (hit) {
        found = hit[0]
        break
      }
      at = parent.get(at)
    }
    memo.set(id, found)
    return found
  }
  const us = new Map<string, number>()
  profile.samples.forEach((id, i) => {
    const c = categoryOf(id)
    us.set(c, (us.get(c) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  return us
}

const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'lastseen-profile-'))
const child = startChild('./server-lastseen.ts', import.meta.url, {
  env: { BENCH_EVENT_LOOP_DELAY: '1' },
})
let acked = 0
let stored = 0
let delay: { p50: number; p99: number; max: number } | undefined
/** CPU time of the service during the load, µs: all its threads, and its main thread. */
type Cpu = { process: number; main: number | null }
let cpu: Cpu | undefined
try {
  const { url } = await child.next<{ url: string }>(120_000)
  const run = (seconds: number) =>
    postBatches({
      url,
      connections,
      seconds,
      batch: BATCH,
      onAccepted: (n) => {
        acked += n
      },
    })
  await run(2)
  child.send({ cmd: 'delay-reset' })
  child.send({ cmd: 'profile-start' })
  await child.next(10_000)
  child.send({ cmd: 'count' })
  const before = (await child.next<{ stored: number }>(60_000)).stored
  child.send({ cmd: 'cpu' })
  const cpuBefore = await child.next<Cpu>(10_000)
  acked = 0
  const result = await run(duration)
  // Until the groups in flight are stored: embedded chDB reads the process's stdin when it has
  // data during an insert (and fails the insert), so nothing is sent to the child meanwhile.
  await sleep(1_500)
  child.send({ cmd: 'cpu' })
  const cpuAfter = await child.next<Cpu>(10_000)
  cpu = {
    process: cpuAfter.process - cpuBefore.process,
    main: cpuAfter.main === null || cpuBefore.main === null ? null : cpuAfter.main - cpuBefore.main,
  }
  child.send({ cmd: 'profile-stop', file: join(dir, 'load.cpuprofile') })
  await child.next(30_000)
  child.send({ cmd: 'delay' })
  delay = await child.next(10_000)
  console.log(
    `${int(acked / result.duration)} events/s acknowledged, p50 ${result.latency.p50} ms p99 ${result.latency.p99} ms`,
  )
  child.send({ cmd: 'count' })
  stored = (await child.next<{ stored: number }>(60_000)).stored - before
} finally {
  await child.stop()
}
const file = 'load.cpuprofile'
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'))
const us = categorize(profile)
const counted = (c: string) => c !== 'idle' && !c.startsWith('profiler')
const busy = [...us].filter(([c]) => counted(c)).reduce((n, [, v]) => n + v, 0)
console.log(
  `\nmain thread during the load: ${fixed(busy / 1e6, 1)} s busy of ${fixed(
    (profile.endTime - profile.startTime) / 1e6,
    1,
  )} s; per event stored (${int(stored)}):`,
)
for (const [c, v] of [...us].sort((a, b) => b[1] - a[1])) {
  if (!counted(c)) continue
  console.log(
    `  ${fixed(v / stored, 2).padStart(7)} µs  ${fixed((100 * v) / busy, 1).padStart(5)} %  ${c}`,
  )
}
if (cpu) {
  const perEvent = (us: number) => fixed(us / stored, 1)
  const main = cpu.main ?? Number.NaN
  console.log(
    `CPU time of the service per event stored: ${perEvent(cpu.process)} µs in all, ${perEvent(main)} µs on the main thread, ${perEvent(cpu.process - main)} µs on the engine's threads (chDB, libuv)`,
  )
}
if (delay) {
  console.log(
    `event-loop delay under load: p50 ${fixed(delay.p50, 1)} ms, p99 ${fixed(delay.p99, 1)} ms, max ${fixed(delay.max, 1)} ms`,
  )
}
console.log(`profile: ${join(dir, file)}`)
if (!values.keep) rmSync(dir, { recursive: true, force: true })
