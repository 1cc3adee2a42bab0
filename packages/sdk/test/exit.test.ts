/**
 * A Node process that tracks and then simply ends (no flush, no shutdown) still delivers its
 * events: the tracker never keeps the process alive, yet flushes on `beforeExit`.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Sink, startSink } from './support/sink.js'

let sink: Sink
let dir: string

beforeAll(async () => {
  sink = await startSink()
  dir = mkdtempSync(join(tmpdir(), 'lastseen-exit-'))
  await build({
    entryPoints: [resolve(import.meta.dirname, '../src/node.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: join(dir, 'sdk.mjs'),
    logLevel: 'silent',
  })
})
afterAll(async () => {
  await sink.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('a Node process that ends on its own', () => {
  it('flushes queued events before it exits, and exits', async () => {
    const script = join(dir, 'script.mjs')
    writeFileSync(
      script,
      `import { createTracker } from './sdk.mjs'
const tracker = createTracker({ endpoint: process.argv[2], writeKey: 'lsw_x', debounceMs: 60000, maxWaitMs: 60000 })
for (let i = 0; i < 5; i++) tracker.track('login', undefined, { userId: 'u' + i, timestamp: 0 })
`,
    )
    const { stderr } = await promisify(execFile)(process.execPath, [script, sink.url], {
      timeout: 20_000,
    })
    expect(stderr).toBe('')
    expect(sink.events().map((e) => e.userId)).toEqual(['u0', 'u1', 'u2', 'u3', 'u4'])
  })
})
