/**
 * @module
 * A small driver to profile one SDK's `track()` (not a benchmark: it writes nothing). It makes
 * the calls of `sdk/enqueue.ts` (chunks of 1,000, one turn of the event loop between chunks)
 * against the same local sink, in this one process, and prints the calls per second spent
 * inside `track()`. For a CPU profile with line numbers, bundle it first:
 *
 *   npx esbuild sdk/profile.ts --bundle --platform=node --format=esm --conditions=node \
 *     --external:posthog-node --external:@segment/analytics-node --outfile=/tmp/profile.mjs
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof /tmp/profile.mjs lastseen 100000
 *
 * Usage: tsx sdk/profile.ts [lastseen|posthog-node|@segment/analytics-node] [calls]
 */
import { setImmediate as tick } from 'node:timers/promises'
import { createClient, SDKS, type SdkName } from './clients.js'
import { startSink } from './sink.js'

const name = (process.argv[2] ?? 'lastseen') as SdkName
if (!SDKS.includes(name)) throw new Error(`unknown SDK ${name}; one of ${SDKS.join(', ')}`)
const calls = Number(process.argv[3] ?? 100_000)
const CHUNK = 1_000

const sink = await startSink()
const client = await createClient(name, sink.url)
for (let i = 0; i < 2_000; i++) client.track(-1 - i)
await client.drain()
let insideNs = 0n
for (let from = 0; from < calls; from += CHUNK) {
  const t0 = process.hrtime.bigint()
  for (let i = from; i < Math.min(calls, from + CHUNK); i++) client.track(i)
  insideNs += process.hrtime.bigint() - t0
  await tick()
}
console.log(`${name}: ${Math.round(calls / (Number(insideNs) / 1e9))} track() calls/s`)
await client.drain()
await client.close()
await sink.close()
process.exit(0)
