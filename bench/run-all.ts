/**
 * @module
 * `pnpm bench`: every benchmark in turn, each in its own process, each writing its section of
 * docs/benchmarks.md. Extra arguments are passed to none; run a single benchmark to tune it.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const BENCHES = [
  'bundle/size.ts',
  'sdk/enqueue.ts',
  'ingest/throughput.ts',
  'insights/latency.ts',
  'ingest/fsync.ts',
  'storage/disk.ts',
]

let failed = 0
for (const bench of BENCHES) {
  console.log(`\n=== ${bench}`)
  const file = fileURLToPath(new URL(bench, import.meta.url))
  const run = spawnSync(process.execPath, ['--import', 'tsx', file], {
    stdio: 'inherit',
    timeout: 30 * 60_000,
    killSignal: 'SIGTERM',
  })
  if (run.status !== 0) {
    failed += 1
    console.error(`${bench} failed (status ${run.status}, signal ${run.signal})`)
  }
}
process.exit(failed > 0 ? 1 : 0)
