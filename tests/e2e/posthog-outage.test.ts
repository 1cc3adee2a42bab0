/**
 * `posthog-node`, unmodified, sending a steady stream to the real service (built CLI, embedded
 * chDB, fixed port and data directory) while the service is killed (`SIGKILL`) and started
 * again: every event of a batch the service answered `200` is stored, and no event is stored
 * twice, though the client resends the batches whose answers the kill cut off.
 */
import { rmSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { PostHog } from 'posthog-node'
import { afterAll, describe, expect, it } from 'vitest'
import {
  freePort,
  type Ingest,
  queryStore,
  startIngest,
  tempDataDir,
  WRITE_KEY,
} from './support/ingest.js'

const RATE = 500 // events per second
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

/** The `uuid`s of a `/batch/` body as `posthog-node` sends it (gzip, or JSON). */
function uuidsOf(body: Uint8Array): string[] {
  const bytes = Buffer.from(body)
  const text = (bytes[0] === 0x1f ? gunzipSync(bytes) : bytes).toString('utf8')
  return (JSON.parse(text) as { batch: { uuid: string }[] }).batch.map((e) => e.uuid)
}

const dataDir = tempDataDir()
let ingest: Ingest | undefined
afterAll(async () => {
  await ingest?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('posthog-node through a kill -9 of the service', () => {
  it('loses no event it was told was stored, and stores none twice', async () => {
    const port = await freePort()
    ingest = await startIngest({ port, dataDir })
    const acknowledged = new Set<string>()
    const sent = new Set<string>()
    let failed = 0
    const ph = new PostHog(WRITE_KEY, {
      host: ingest.url,
      // Its own fetch, to see which batches were answered 200: the client is otherwise as shipped.
      fetch: async (url, init) => {
        const body = init?.body
        const bytes =
          typeof body === 'string'
            ? new TextEncoder().encode(body)
            : body instanceof Blob
              ? new Uint8Array(await body.arrayBuffer())
              : (body as Uint8Array | undefined)
        const uuids = url.includes('/batch/') && bytes ? uuidsOf(bytes) : []
        for (const id of uuids) sent.add(id)
        try {
          const res = await fetch(url, init as RequestInit)
          if (res.status === 200) for (const id of uuids) acknowledged.add(id)
          else failed++
          return res
        } catch (err) {
          failed++
          throw err
        }
      },
    })
    ph.on('error', () => {}) // the outage is expected; what matters is what was stored

    let captured = 0
    let streaming = true
    const start = Date.now()
    const stream = (async () => {
      while (streaming) {
        const due = Math.floor(((Date.now() - start) * RATE) / 1000)
        for (; captured < due; captured++) {
          ph.capture({
            distinctId: `ph_outage_${captured % 50}`,
            event: 'tick',
            properties: { seq: captured },
          })
        }
        await sleep(10)
      }
    })()
    await sleep(2000)
    await ingest.stop('SIGKILL')
    await sleep(1000)
    ingest = await startIngest({ port, dataDir })
    await sleep(2000)
    streaming = false
    await stream
    await ph.shutdown(30_000)

    expect(captured).toBeGreaterThan(RATE * 4)
    expect(acknowledged.size).toBeGreaterThan(RATE * 2)
    // The kill was felt: requests failed, and the client sent those batches again.
    expect(failed).toBeGreaterThan(0)
    await ingest.stop()
    ingest = undefined
    const rows = await queryStore<{ id: string; n: string | number }>(
      dataDir,
      `SELECT toString(id) AS id, count() AS n FROM lastseen.events FINAL WHERE event = 'tick' GROUP BY id`,
    )
    const stored = new Map(rows.map((r) => [r.id, Number(r.n)]))
    // None twice, none that was never sent, none lost that was answered 200.
    expect([...stored.values()].filter((n) => n !== 1)).toEqual([])
    expect([...stored.keys()].filter((id) => !sent.has(id))).toEqual([])
    expect([...acknowledged].filter((id) => !stored.has(id))).toEqual([])
  })
})
