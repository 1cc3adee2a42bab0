/**
 * @module
 * Benchmark 4, insights latency: `GET /v1/inactive`, `/v1/active`, `/v1/declining`,
 * `/v1/lifecycle` and `/v1/retention` on embedded chDB
 * holding 10 million events of 100,000 users. The service runs in a child process; requests
 * are sent one at a time from this process after a warm-up, and p50/p95 are reported.
 * Writes the `insights-latency` section of docs/benchmarks.md.
 *
 * Usage: tsx insights/latency.ts [--events 10000000] [--users 100000] [--requests 50]
 *        [--data-dir DIR (keep the seeded store between runs)] [--no-write]
 */
import { parseArgs } from 'node:util'
import { startChild } from '../lib/child.js'
import { fixed, int, table } from '../lib/format.js'
import { READ_KEY } from '../lib/keys.js'
import { runContext, writeSection } from '../lib/report.js'
import { percentile } from '../lib/stats.js'

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '10000000' },
    users: { type: 'string', default: '100000' },
    requests: { type: 'string', default: '50' },
    'data-dir': { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
})
const events = Number(values.events)
const users = Number(values.users)
const requests = Number(values.requests)
const GOAL_MS = 200

const day = (offset: number) =>
  new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10)

const QUERIES = [
  '/v1/inactive?level=user&after=14d',
  '/v1/inactive?level=user&after=14d&sort=events',
  '/v1/inactive?level=account&after=14d',
  `/v1/active?interval=day&from=${day(30)}&to=${day(0)}`,
  `/v1/active?interval=week&from=${day(90)}&to=${day(0)}`,
  `/v1/active?interval=month&from=${day(180)}&to=${day(0)}`,
  '/v1/declining?level=user',
  '/v1/declining?level=account',
  `/v1/lifecycle?interval=week&from=${day(90)}&to=${day(0)}`,
  `/v1/lifecycle?interval=month&from=${day(180)}&to=${day(0)}`,
  '/v1/retention?interval=week&cohorts=13',
  '/v1/retention?interval=month&cohorts=4',
]

interface Timing {
  path: string
  status: number
  p50: number
  p95: number
  max: number
  bytes: number
}

async function time(url: string, path: string): Promise<Timing> {
  const once = async () => {
    const start = performance.now()
    const res = await fetch(url + path, { headers: { authorization: `Bearer ${READ_KEY}` } })
    const body = await res.arrayBuffer()
    return { ms: performance.now() - start, status: res.status, bytes: body.byteLength }
  }
  const first = await once()
  if (first.status !== 200) {
    return {
      path,
      status: first.status,
      p50: Number.NaN,
      p95: Number.NaN,
      max: Number.NaN,
      bytes: 0,
    }
  }
  for (let i = 0; i < 3; i++) await once()
  const samples: number[] = []
  let bytes = 0
  for (let i = 0; i < requests; i++) {
    const r = await once()
    if (r.status !== 200) throw new Error(`${path} answered ${r.status} during the run`)
    samples.push(r.ms)
    bytes = r.bytes
  }
  return {
    path,
    status: 200,
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    max: Math.max(...samples),
    bytes,
  }
}

const child = startChild('./seeded-server.ts', import.meta.url, {
  args: [String(events), String(users), ...(values['data-dir'] ? [values['data-dir']] : [])],
})
const timings: Timing[] = []
let seeded: { url: string; seedMs: number; settleMs: number; events: number }
try {
  seeded = await child.next<{ url: string; seedMs: number; settleMs: number; events: number }>(
    1_800_000,
  )
  console.log(
    `store holds ${int(seeded.events)} events` +
      (seeded.seedMs ? ` (seeded in ${fixed(seeded.seedMs / 1000, 1)} s)` : ' (reused)') +
      `, merges settled after ${fixed(seeded.settleMs / 1000, 1)} s`,
  )
  for (const path of QUERIES) {
    const t = await time(seeded.url, path)
    timings.push(t)
    console.log(
      `${path.padEnd(60)} ${t.status}  p50 ${fixed(t.p50, 1)} ms  p95 ${fixed(t.p95, 1)} ms  max ${fixed(t.max, 1)} ms`,
    )
  }
} finally {
  await child.stop()
}

const landed = timings.some((t) => t.status === 200)
const command = `cd bench && npx tsx insights/latency.ts --events ${events} --users ${users} --requests ${requests}`
const worst = Math.max(...timings.filter((t) => t.status === 200).map((t) => t.p95))
const markdown = landed
  ? `
${runContext(command)}

${table(
  ['request', 'p50', 'p95', 'max', 'answer size', 'goal p95 ≤ 200 ms'],
  timings.map((t) => [
    `\`GET ${t.path}\``,
    t.status === 200 ? `${fixed(t.p50, 1)} ms` : `answered ${t.status}`,
    t.status === 200 ? `${fixed(t.p95, 1)} ms` : '—',
    t.status === 200 ? `${fixed(t.max, 1)} ms` : '—',
    t.status === 200 ? `${int(t.bytes)} B` : '—',
    t.status === 200 ? (t.p95 <= GOAL_MS ? 'met' : '**missed**') : 'n/a',
  ]),
)}

${int(seeded.events)} events of ${int(users)} users in 5,000 accounts over the last ~90 days,
seeded with \`INSERT … SELECT … FROM numbers()\` into the service's \`events_in\` table (its
materialized views fill the raw table and the aggregates as live traffic would)${seeded.seedMs ? ` in ${fixed(seeded.seedMs / 1000, 0)} s` : ''};
timing starts once ClickHouse's background merges of those inserts have finished.
${int(requests)} requests per row, one at a time after 4 warm-up requests, over HTTP on
127.0.0.1 to the service in a child process (embedded chDB). Worst p95: ${fixed(worst, 1)} ms.
`
  : `
**Pending**: the read API did not answer on this commit (\`GET /v1/inactive\` → ${timings[0]?.status ?? 'no answer'}).
The benchmark is ready; run it once the read API has landed:

\`\`\`sh
${command}
\`\`\`

${runContext(command)}
`
console.log(markdown)
if (!values['no-write']) writeSection('insights-latency', markdown)
