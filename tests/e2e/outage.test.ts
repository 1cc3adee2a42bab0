/**
 * A Node tracker with default settings through two restarts of the real ingestion service: it
 * tracks a steady 2,000 events/s while the service (a child process on a fixed port and data
 * directory) goes down and comes back about 6 s later, twice. Counted afterwards in ClickHouse:
 * every event tracked is stored exactly once.
 *
 * The service is killed rather than stopped gracefully: under a steady stream its keep-alive
 * connections never go idle, so a graceful stop keeps answering until it is cut anyway, and the
 * outage would not start when the test says. A kill is also the harder case for exactly-once:
 * a batch in flight may be stored but never acknowledged, and so comes again.
 */
import { rmSync } from 'node:fs'
import { createTracker, type LastseenError } from '@lastseen/sdk'
import { afterAll, describe, expect, it } from 'vitest'
import {
  freePort,
  type Ingest,
  queryStore,
  startIngest,
  tempDataDir,
  WRITE_KEY,
} from './support/ingest.js'

const RATE = 2000 // events per second
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

const dataDir = tempDataDir()
let ingest: Ingest | undefined
afterAll(async () => {
  await ingest?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('through restarts of the service', () => {
  it('stores every event exactly once, with default settings', async () => {
    const port = await freePort()
    ingest = await startIngest({ port, dataDir })
    const errors: LastseenError[] = []
    // Defaults only; onError just records what the tracker reports.
    const tracker = createTracker<{ tick: { seq: number } }>({
      endpoint: ingest.url,
      writeKey: WRITE_KEY,
      onError: (e) => errors.push(e),
    })

    let tracked = 0
    let streaming = true
    const start = Date.now()
    const stream = (async () => {
      while (streaming) {
        const due = Math.floor(((Date.now() - start) * RATE) / 1000)
        for (; tracked < due; tracked++) {
          tracker.track('tick', { seq: tracked }, { userId: `outage_${tracked % 100}` })
        }
        await sleep(10)
      }
    })()
    const restart = async (downMs: number) => {
      await ingest?.stop('SIGKILL')
      ingest = undefined
      await sleep(downMs)
      ingest = await startIngest({ port, dataDir }) // about 1 s more
    }
    await sleep(1500)
    await restart(5000)
    await sleep(2000)
    await restart(5000)
    await sleep(1500)
    streaming = false
    await stream

    // The backlog goes out on its own once the service is back, without a flush().
    const deadline = Date.now() + 30_000
    while (tracker.getStats().queued + tracker.getStats().inFlight > 0 && Date.now() < deadline) {
      await sleep(100)
    }
    const stats = tracker.getStats()
    await tracker.shutdown({ timeoutMs: 10_000 })
    expect(tracked).toBeGreaterThan(RATE * 12)
    expect(stats).toMatchObject({ queued: 0, inFlight: 0, dropped: 0, failed: 0, rejected: 0 })
    expect(stats.sent).toBeGreaterThanOrEqual(tracked) // and one heartbeat per user
    // The restarts were felt: the tracker kept events through failed sends.
    expect(errors.some((e) => e.code === 'network_error')).toBe(true)
    expect(errors.filter((e) => e.code !== 'network_error')).toEqual([])

    await ingest?.stop()
    ingest = undefined
    // Read as every answer of the service reads it (FINAL: a batch stored just before a kill,
    // and so sent again, may briefly be two rows): no event lost, none counted twice.
    const [stored] = await queryStore<Record<string, string | number>>(
      dataDir,
      `SELECT count() AS rows, uniqExact(id) AS ids,
              uniqExact(JSONExtractUInt(properties, 'seq')) AS seqs,
              min(JSONExtractUInt(properties, 'seq')) AS first,
              max(JSONExtractUInt(properties, 'seq')) AS last
       FROM lastseen.events FINAL WHERE event = 'tick'`,
    )
    expect(
      Object.fromEntries(Object.entries(stored ?? {}).map(([k, v]) => [k, Number(v)])),
    ).toEqual({ rows: tracked, ids: tracked, seqs: tracked, first: 0, last: tracked - 1 })
  })
})
