/**
 * The remote-server path (`CLICKHOUSE_URL`) over real HTTP, against the chDB-backed ClickHouse
 * HTTP test server in a child process: writes and duplicates, migrations from two processes at
 * once, and a ClickHouse crash in the middle of a load — clients get 503 with `Retry-After`
 * meanwhile, and after the restart every acknowledged event is stored exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StorageUnavailable } from '../src/errors.js'
import { KeyRing } from '../src/keys/key-ring.js'
import type { RunningServer } from '../src/server.js'
import { migrations } from '../src/storage/migrations.js'
import { count, runCli, startTestServer, tempDataDir, WRITE_KEY, waitUntil } from './helpers.js'
import { type ClickHouseTestServer, startClickHouseServer } from './support/clickhouse-server.js'
import { trackEvent } from './support/events.js'

let clickhouse: ClickHouseTestServer
let server: RunningServer
const remoteEnv = () => ({
  CLICKHOUSE_URL: clickhouse.url,
  CLICKHOUSE_USER: 'lastseen',
  CLICKHOUSE_PASSWORD: 'secret-password',
})

beforeAll(async () => {
  clickhouse = await startClickHouseServer({
    dataDir: tempDataDir(),
    user: 'lastseen',
    password: 'secret-password',
  })
  server = await startTestServer(remoteEnv())
})
afterAll(async () => {
  await server?.close()
  await clickhouse?.stop()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const track = (userId: string) => trackEvent(userId, { accountId: 'acme' })

function post(batch: unknown[]) {
  return fetch(`${server.url}/v1/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${WRITE_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ sentAt: new Date().toISOString(), batch }),
  })
}

describe('on a ClickHouse server', () => {
  it('stores events and finds duplicates through the server', async () => {
    expect(server.storage.location).toBe(`${clickhouse.url}/`)
    const batch = [track('r_1'), track('r_1'), track('r_2')]
    expect(await (await post(batch)).json()).toEqual({ accepted: 3, duplicates: 0, rejected: [] })
    expect(await (await post(batch)).json()).toEqual({ accepted: 0, duplicates: 3, rejected: [] })
    expect(await count(server, "SELECT count() AS n FROM {db}.events WHERE user_id = 'r_1'")).toBe(
      2,
    )
    expect(
      await count(server, "SELECT count() AS n FROM {db}.users FINAL WHERE user_id LIKE 'r_%'"),
    ).toBe(2)
  })

  it('lets two processes migrate one database at the same time', async () => {
    const env = { ...remoteEnv(), CLICKHOUSE_DATABASE: 'two_processes' }
    const [a, b] = await Promise.all([runCli(['migrate'], env), runCli(['migrate'], env)])
    expect([a.code, b.code]).toEqual([0, 0])
    // Each version applied by one of them: the other waited for the lock, then found it done.
    const applied = (out: string) =>
      /applied migrations ([\d, ]+)/.exec(out)?.[1]?.split(', ').map(Number) ?? []
    expect([...applied(a.stdout), ...applied(b.stdout)].sort((x, y) => x - y)).toEqual(
      migrations.map((m) => m.version),
    )
    const again = await runCli(['migrate'], env)
    expect(again.stdout).toMatch(/schema is up to date/)
    expect(
      await count(
        server,
        "SELECT count() AS n FROM system.tables WHERE database = 'two_processes' AND name IN ('events', 'users', 'event_ids')",
      ),
    ).toBe(3)
  })

  it('answers 503 + Retry-After while ClickHouse is down and loses no acknowledged event', async () => {
    const clients = 4
    const batchesPerClient = 25
    const acknowledged = new Set<string>()
    const statuses = new Map<number, number>()
    let retryAfterSeen = 0
    let acks = 0

    const giveUp = Date.now() + 90_000
    const client = async (c: number) => {
      for (let b = 0; b < batchesPerClient; b++) {
        const batch = Array.from({ length: 20 }, () => track(`load_${c}`))
        // Like the SDK: resend the same batch (same ids) until it is acknowledged.
        for (;;) {
          if (Date.now() > giveUp) throw new Error(`batch ${b} of client ${c} never acknowledged`)
          const res = await post(batch)
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
          if (res.status === 200) {
            const answer = (await res.json()) as { accepted: number; duplicates: number }
            expect(answer.accepted + answer.duplicates).toBe(batch.length)
            for (const e of batch) acknowledged.add(e.id)
            acks++
            break
          }
          expect(res.status).toBe(503)
          expect(await res.json()).toMatchObject({ error: { code: 'unavailable' } })
          const retryAfter = Number(res.headers.get('retry-after'))
          expect(retryAfter).toBeGreaterThanOrEqual(1)
          retryAfterSeen++
          await sleep(retryAfter * 1000)
        }
      }
    }

    const eagerKeys = new KeyRing(server.storage, 0)
    await eagerKeys.reload()
    const load = Promise.all(Array.from({ length: clients }, (_, c) => client(c)))
    await waitUntil(() => acks >= 10, '10 batches acknowledged', { intervalMs: 20 })
    await clickhouse.stop('SIGKILL')
    await waitUntil(() => retryAfterSeen > 0, 'a 503 with Retry-After seen', { intervalMs: 20 })
    // Keys loaded before the outage keep working while ClickHouse is down (a cache that must
    // reload on every lookup proves it); a fresh cache has nothing to answer from: 503.
    expect(await eagerKeys.resolve(WRITE_KEY)).toMatchObject({
      kind: 'write',
      projectId: 'default',
    })
    await expect(new KeyRing(server.storage).resolve(WRITE_KEY)).rejects.toBeInstanceOf(
      StorageUnavailable,
    )
    const notReady = await fetch(`${server.url}/readyz`)
    expect(notReady.status).toBe(503)
    expect(notReady.headers.get('retry-after')).toBe('1')
    await clickhouse.restart()
    await load
    // Ready again once a write got through (the writer has left its wait after the failure).
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200)

    expect(acknowledged.size).toBe(clients * batchesPerClient * 20)
    expect(statuses.get(503)).toBeGreaterThan(0)
    const ids = [...acknowledged]
    expect(
      await count(
        server,
        `SELECT count() AS n FROM {db}.events FINAL WHERE startsWith(user_id, 'load_')`,
      ),
    ).toBe(ids.length)
    expect(
      await count(
        server,
        `SELECT uniqExactMerge(events) AS n FROM {db}.event_days WHERE startsWith(user_id, 'load_')`,
      ),
    ).toBe(ids.length)
    expect(
      await count(
        server,
        `SELECT uniqExact(id) AS n FROM {db}.event_ids WHERE startsWith(user_id, 'load_')`,
      ),
    ).toBe(ids.length)
  })
})
