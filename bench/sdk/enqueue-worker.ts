/**
 * @module
 * One SDK in its own process (run with `--expose-gc`): 100,000 `track()` calls for 100,000
 * distinct users, in chunks of 1,000 with a turn of the event loop between chunks (as a busy
 * server would give its SDK), then a drain. Reports the time spent inside `track()`, the time
 * until everything was delivered, and the heap after a full GC before, between and after.
 *
 * Usage: node --expose-gc --import tsx sdk/enqueue-worker.ts <sdk> <sinkUrl> [calls]
 */
import { setImmediate as tick } from 'node:timers/promises'
import { report } from '../lib/child.js'
import { createClient, SDKS, type SdkName } from './clients.js'

const [name, sinkUrl, callsArg] = process.argv.slice(2)
if (!SDKS.includes(name as SdkName) || !sinkUrl) {
  console.error('usage: enqueue-worker.ts <sdk> <sinkUrl> [calls]')
  process.exit(2)
}
const calls = Number(callsArg ?? 100_000)
const CHUNK = 1_000
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with --expose-gc')

const settledHeap = () => {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

const client = await createClient(name as SdkName, sinkUrl)
// Warm-up on other users, so code is optimised before timing; drained before measuring.
for (let i = 0; i < 2_000; i++) client.track(-1 - i)
await client.drain()

const heapBefore = settledHeap()
let insideNs = 0n
let peakHeap = 0
const start = process.hrtime.bigint()
for (let from = 0; from < calls; from += CHUNK) {
  const t0 = process.hrtime.bigint()
  const to = Math.min(calls, from + CHUNK)
  for (let i = from; i < to; i++) client.track(i)
  insideNs += process.hrtime.bigint() - t0
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)
  await tick()
}
const heapQueued = settledHeap()
await client.drain()
const deliveredNs = process.hrtime.bigint() - start
const heapAfter = settledHeap()
await client.close()

report({
  sdk: name,
  calls,
  trackNs: Number(insideNs),
  deliveredNs: Number(deliveredNs),
  heapBefore,
  heapQueued,
  heapAfter,
  peakHeap,
  rss: process.memoryUsage().rss,
})
process.exit(0)
