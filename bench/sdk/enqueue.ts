/**
 * @module
 * Benchmark 1, SDK enqueue: `track()` throughput and heap growth with 100,000 distinct users,
 * lastseen side by side with posthog-node and @segment/analytics-node, each in its own child
 * process, all sending to the same local sink, in several rounds (order rotated each round).
 * Writes the `sdk-enqueue` section of docs/benchmarks.md.
 *
 * Usage: tsx sdk/enqueue.ts [--rounds 5] [--calls 100000] [--no-write]
 */
import { parseArgs } from 'node:util'
import { startChild } from '../lib/child.js'
import { fixed, int, mb, ratio, table } from '../lib/format.js'
import { runContext, writeSection } from '../lib/report.js'
import { median } from '../lib/stats.js'
import { SDKS, type SdkName } from './clients.js'
import { startSink } from './sink.js'

interface WorkerResult {
  sdk: SdkName
  calls: number
  trackNs: number
  deliveredNs: number
  heapBefore: number
  heapQueued: number
  heapAfter: number
  peakHeap: number
  rss: number
}

interface Run extends WorkerResult {
  received: number
  requests: number
}

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    calls: { type: 'string', default: '100000' },
    'no-write': { type: 'boolean', default: false },
  },
})
const rounds = Number(values.rounds)
const calls = Number(values.calls)

const sink = await startSink()
const runs: Run[][] = []
try {
  for (let round = 0; round < rounds; round++) {
    const order = SDKS.map((_, k) => SDKS[(k + round) % SDKS.length] as SdkName)
    const results: Run[] = []
    for (const sdk of order) {
      sink.reset()
      const child = startChild('./enqueue-worker.ts', import.meta.url, {
        nodeArgs: ['--expose-gc'],
        args: [sdk, sink.url, String(calls)],
      })
      try {
        const result = await child.next<WorkerResult>(180_000)
        const { events, requests } = sink.received()
        results.push({ ...result, received: events, requests })
        console.log(
          `round ${round + 1}/${rounds} ${sdk.padEnd(24)} ${int(calls / (result.trackNs / 1e9)).padStart(10)} track/s` +
            `  delivered in ${fixed(result.deliveredNs / 1e6, 0)} ms` +
            `  heap +${mb(result.heapAfter - result.heapBefore)} (queued +${mb(result.heapQueued - result.heapBefore)})` +
            `  sink got ${int(events)} events in ${requests} requests`,
        )
      } finally {
        await child.stop()
      }
    }
    runs.push(results)
  }
} finally {
  await sink.close()
}

const of = (sdk: SdkName) => runs.map((r) => r.find((x) => x.sdk === sdk) as Run)
const opsPerSec = (r: Run) => r.calls / (r.trackNs / 1e9)
const lastseen = of('lastseen')
const rows = SDKS.map((sdk) => {
  const rs = of(sdk)
  const speedup = runs.map((_, k) => opsPerSec(lastseen[k] as Run) / opsPerSec(rs[k] as Run))
  return [
    sdk === 'lastseen' ? '**@lastseen/sdk**' : sdk,
    int(median(rs.map(opsPerSec))),
    sdk === 'lastseen' ? '1×' : ratio(median(speedup)),
    `${int(median(rs.map((r) => r.deliveredNs / 1e6)))} ms`,
    mb(median(rs.map((r) => r.heapQueued - r.heapBefore))),
    mb(median(rs.map((r) => r.heapAfter - r.heapBefore))),
    mb(median(rs.map((r) => r.peakHeap - r.heapBefore))),
    `${int(median(rs.map((r) => r.received)))} / ${int(median(rs.map((r) => r.requests)))}`,
  ]
})
const markdown = `
${runContext(`cd bench && npx tsx sdk/enqueue.ts --rounds ${rounds} --calls ${calls}`)}

${table(
  [
    'SDK',
    'track() calls/s',
    'lastseen ÷ this SDK, calls/s',
    'time until all delivered',
    'heap growth, queued',
    'heap growth, after drain',
    'peak heap growth',
    'events / requests at the sink',
  ],
  rows,
)}

Medians of ${rounds} rounds of ${int(calls)} calls for ${int(calls)} distinct users; the ratio
(above 1: lastseen makes more calls per second) is the median of per-round ratios (both measured in the same round). Heap growth is \`heapUsed\`
after a full GC, relative to the same measure just before the calls ("peak" is the highest
sample without GC, taken after each chunk of 1,000 calls).
`
console.log(markdown)
if (!values['no-write']) writeSection('sdk-enqueue', markdown)
