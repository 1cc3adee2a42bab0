/**
 * Storage that stops answering — a hung disk, a frozen server — must not hang the service:
 * writes, reads and `/readyz` are answered `503` with `Retry-After` within the storage deadline
 * (`LASTSEEN_STORAGE_TIMEOUT`, 1 s here), `/healthz` at once, and once storage answers again
 * the retried events are stored exactly once.
 *
 * With a server: the chDB-backed ClickHouse HTTP test server in a child process, frozen with
 * SIGSTOP (the kernel still accepts connections; nothing is answered). Embedded: a statement
 * that holds the engine for seconds, as one waiting on a hung disk would.
 */
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SESSION_COOKIE } from '../../src/dashboard/session.js'
import type { RunningServer } from '../../src/server.js'
import { READ_KEY, startTestServer, tempDataDir, WRITE_KEY, waitUntil } from '../helpers.js'
import { type ClickHouseTestServer, startClickHouseServer } from '../support/clickhouse-server.js'
import { trackEvent } from '../support/events.js'
import { expectAlive } from './support.js'

/** Deadline (1 s) plus what a loaded machine needs to answer. */
const BOUND_MS = 4000
const env = { LASTSEEN_STORAGE_TIMEOUT: '1s', LASTSEEN_RATE_LIMIT: '0' }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const batchOf = (userId: string, n = 20) => Array.from({ length: n }, () => trackEvent(userId))

function write(server: RunningServer, batch: unknown[], gzip = false) {
  const body = JSON.stringify({ sentAt: new Date().toISOString(), batch })
  return fetch(`${server.url}/v1/batch`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${WRITE_KEY}`,
      'content-type': 'application/json',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    },
    body: gzip ? gzipSync(body) : body,
  })
}

const read = (server: RunningServer, userId: string) =>
  fetch(`${server.url}/v1/users/${userId}`, { headers: { authorization: `Bearer ${READ_KEY}` } })

const ready = (server: RunningServer) => fetch(`${server.url}/readyz`)

/** The answer's status and `Retry-After`, and how long it took. */
async function timed(request: Promise<Response>) {
  const started = performance.now()
  const res = await request
  await res.arrayBuffer()
  return {
    status: res.status,
    retryAfter: Number(res.headers.get('retry-after')),
    ms: performance.now() - started,
  }
}

function expectUnavailable(answer: Awaited<ReturnType<typeof timed>>) {
  expect(answer.status).toBe(503)
  expect(answer.retryAfter).toBeGreaterThanOrEqual(1)
  expect(answer.ms).toBeLessThan(BOUND_MS)
}

/** Send `batch` as the SDK does (same ids) until it is stored; returns the final answer. */
async function retried(server: RunningServer, batch: unknown[]) {
  for (let attempt = 0; attempt < 60; attempt++) {
    const res = await write(server, batch)
    if (res.status === 200) return (await res.json()) as { accepted: number; duplicates: number }
    expect(res.status).toBe(503)
    await sleep(Number(res.headers.get('retry-after')) * 1000)
  }
  throw new Error('never stored')
}

/** Events of `userId` the read API counts (exact sets: a repeated row is not counted twice). */
async function eventsOf(server: RunningServer, userId: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const res = await read(server, userId)
    if (res.status === 200) {
      const body = (await res.json()) as { last30Days: { events: number } }
      return body.last30Days.events
    }
    if (attempt > 30) throw new Error(`read answers ${res.status}`)
    await sleep(500)
  }
}

describe('a ClickHouse server that stops answering', () => {
  let clickhouse: ClickHouseTestServer
  let server: RunningServer
  beforeAll(async () => {
    clickhouse = await startClickHouseServer({ dataDir: tempDataDir() })
    server = await startTestServer({ ...env, CLICKHOUSE_URL: clickhouse.url })
  })
  afterAll(async () => {
    clickhouse?.resume()
    await server?.close()
    await clickhouse?.stop()
  })

  it('gets 503 for writes, reads and /readyz within the deadline; events are stored once after', async () => {
    expect((await write(server, batchOf('h_before'))).status).toBe(200)
    expect((await read(server, 'h_before')).status).toBe(200)
    expect((await ready(server)).status).toBe(200)

    const batch = batchOf('h_during')
    clickhouse.pause()
    try {
      const [written, wasRead, readiness] = await Promise.all([
        timed(write(server, batch)),
        timed(read(server, 'h_before')),
        timed(ready(server)),
      ])
      expectUnavailable(written)
      expectUnavailable(wasRead)
      expectUnavailable(readiness)
      await expectAlive(server.url, 1000)
    } finally {
      clickhouse.resume()
    }

    const stored = await retried(server, batch)
    expect(stored.accepted + stored.duplicates).toBe(batch.length)
    expect(await eventsOf(server, 'h_during')).toBe(batch.length)
    expect((await ready(server)).status).toBe(200)
    await expectAlive(server.url)
  })
})

describe('a ClickHouse server that is down', () => {
  let clickhouse: ClickHouseTestServer
  let server: RunningServer
  beforeAll(async () => {
    clickhouse = await startClickHouseServer({ dataDir: tempDataDir() })
    server = await startTestServer({ ...env, CLICKHOUSE_URL: clickhouse.url })
  })
  afterAll(async () => {
    await server?.close()
    await clickhouse?.stop()
  })

  it('gets 503, never 500, from writes, reads and /readyz while connections are refused', async () => {
    expect((await write(server, batchOf('d_before'))).status).toBe(200)
    await clickhouse.stop('SIGKILL')
    try {
      const batch = batchOf('d_during')
      const answers = [
        await timed(read(server, 'd_before')),
        await timed(
          fetch(`${server.url}/v1/inactive`, { headers: { authorization: `Bearer ${READ_KEY}` } }),
        ),
        await timed(ready(server)),
        await timed(write(server, batch)),
        // The dashboard: a session is looked up in the store.
        await timed(
          fetch(`${server.url}/`, { headers: { cookie: `${SESSION_COOKIE}=${'a'.repeat(43)}` } }),
        ),
      ]
      for (const answer of answers) expectUnavailable(answer)
      await expectAlive(server.url, 1000)
      await clickhouse.restart()
      const stored = await retried(server, batch)
      expect(stored.accepted + stored.duplicates).toBe(batch.length)
      expect(await eventsOf(server, 'd_during')).toBe(batch.length)
    } finally {
      await clickhouse.restart().catch(() => {})
    }
    await expectAlive(server.url)
  })
})

describe('an embedded store held by a statement that does not finish', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startTestServer(env)
  })
  afterAll(async () => {
    await server?.close()
  })

  it('gets 503 within the deadline, queues nothing behind the held engine, and recovers', async () => {
    expect((await write(server, batchOf('e_before'))).status).toBe(200)
    await waitUntil(async () => (await ready(server)).status === 200, 'ready', {
      timeoutMs: 30_000,
      intervalMs: 100,
    })

    // Holds the engine for 8 s, as a statement waiting on a hung disk would.
    const held = server.storage.client.query({
      query: `SELECT sum(sleepEachRow(1)) AS s FROM numbers(8)
              SETTINGS function_sleep_max_microseconds_per_block = 10000000`,
      format: 'JSONEachRow',
    })
    await sleep(200)
    const started = performance.now()
    expectUnavailable(await timed(read(server, 'e_before')))
    // Probes keep coming. Each statement queued behind the held one would hold one of libuv's
    // four worker threads, which gzip decoding needs too: they must be refused, not queued.
    for (let i = 0; i < 4; i++) expectUnavailable(await timed(ready(server)))
    const batch = batchOf('e_during')
    expectUnavailable(await timed(write(server, batch, true)))
    await expectAlive(server.url, 1000)
    expect(performance.now() - started).toBeLessThan(6000)

    await held
    const stored = await retried(server, batch)
    expect(stored.accepted + stored.duplicates).toBe(batch.length)
    expect(await eventsOf(server, 'e_during')).toBe(batch.length)
    await expectAlive(server.url)
  })
})
