/**
 * Data rights on real stores: after `DELETE /v1/users/:userId` every read answer equals the
 * answer of a project that was sent the same history without that user (on embedded chDB and
 * on a ClickHouse server), including while other users' events keep arriving; no table keeps a
 * row of the user; admin keys are needed and do only this; the export holds what was stored;
 * and `lastseen-ingest users delete` does the same on a stopped service's store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDays, dayOf } from '../src/insights/days.js'
import { type UserProfile, userProfile } from '../src/insights/users.js'
import { createKeys } from '../src/keys/admin.js'
import { exportUser } from '../src/rights/export.js'
import type { RunningServer } from '../src/server.js'
import { clickHouseTime } from '../src/storage/time.js'
import {
  expectOneLine,
  READ_KEY,
  runCli,
  startCliServer,
  startTestServer,
  tempDataDir,
  WRITE_KEY,
} from './helpers.js'
import { type ClickHouseTestServer, startClickHouseServer } from './support/clickhouse-server.js'
import { daysAgo, knownHistory, type SeedEvent, seen, sendBatch } from './support/insights-seed.js'

const X = 'u_x'
const today = dayOf(Date.now())

const track = (event: string, userId: string, n: number, accountId?: string): SeedEvent => ({
  id: crypto.randomUUID(),
  type: 'track',
  event,
  userId,
  ...(accountId ? { accountId } : {}),
  timestamp: daysAgo(n),
})

/**
 * The known history and the user X, who shares days, event names and the account `acme` with
 * others: X is acme's first seen (45 days ago) and last seen (a heartbeat after everyone else's
 * event today), the only user of `solo`, and sends events without an account.
 */
function history(): SeedEvent[] {
  return [
    ...knownHistory(),
    track('search', X, 70, 'solo'),
    track('search', X, 60),
    track('login', X, 45, 'acme'),
    track('search', X, 20, 'acme'),
    track('search', X, 20, 'acme'),
    seen(X, 5, 'acme'),
    track('report.export', X, 2, 'acme'),
    { ...seen(X, 0, 'acme'), timestamp: new Date(Date.now() - 1000).toISOString() },
    // Traits (on days X is active anyway: they are not activity), one of them removed later.
    identify(20, { email: 'x@acme.io', name: 'Xavier', plan: 'pro' }),
    identify(2, { plan: null }),
  ]
}

const identify = (n: number, traits: Record<string, unknown>): SeedEvent => ({
  id: crypto.randomUUID(),
  type: 'identify',
  userId: X,
  accountId: 'acme',
  timestamp: daysAgo(n),
  traits,
})

const withoutX = (events: SeedEvent[]) => events.filter((e) => e.userId !== X)

/** Every read answer compared between the two projects. */
const PATHS = [
  `/v1/users/${X}`,
  '/v1/users/u_1',
  '/v1/users/u_2',
  '/v1/users/u_4',
  '/v1/accounts/acme',
  '/v1/accounts/solo',
  '/v1/accounts/globex',
  `/v1/active?interval=day&from=${addDays(today, -75)}&to=${today}`,
  `/v1/active?interval=week&from=${addDays(today, -75)}&to=${today}`,
  `/v1/active?interval=month&from=${addDays(today, -75)}&to=${today}`,
  '/v1/inactive?level=user',
  '/v1/inactive?level=user&after=1d&sort=events',
  '/v1/inactive?level=user&after=1d&sort=active_days',
  '/v1/inactive?level=user&after=1d&sort=first_seen',
  '/v1/inactive?level=account&after=1d',
  '/v1/inactive?level=account&after=1d&sort=events',
  '/v1/inactive?level=account&after=1d&sort=active_days',
  '/v1/inactive?level=account&after=1d&sort=mrr',
  '/v1/users?search=acme.io',
  '/v1/users?search=u_',
  '/v1/declining?level=user&window=7d&baseline=28d',
  '/v1/declining?level=account&window=7d&baseline=28d',
  '/v1/lifecycle?interval=week',
  '/v1/lifecycle?interval=month',
  '/v1/retention?interval=week&cohorts=12',
  `/v1/events?from=${addDays(today, -75)}&to=${today}`,
  `/v1/events?from=${addDays(today, -75)}&to=${today}&accountId=acme`,
  `/v1/events?from=${addDays(today, -75)}&to=${today}&userId=${X}`,
  '/v1/frequency?weeks=12',
  '/v1/frequency?weeks=12&accountId=acme',
]

interface Store {
  name: string
  server: RunningServer
  /** Project `default`: the history with X. */
  admin: string
  /** Project `without`: the history without X. */
  without: { write: string; read: string; admin: string }
}

let clickhouse: ClickHouseTestServer
const stores: Store[] = []

async function open(name: string, server: RunningServer): Promise<Store> {
  const admin = (await createKeys(server.storage, 'default', ['admin'], 'test')).admin as string
  const other = await createKeys(server.storage, 'without', ['write', 'read', 'admin'], 'test')
  await server.reloadKeys()
  return {
    name,
    server,
    admin,
    without: { write: other.write, read: other.read, admin: other.admin } as Store['without'],
  }
}

/** Send the history (twice: a retried batch counts once) to both projects of a store. */
async function seed(store: Store, events: SeedEvent[]) {
  for (let i = 0; i < 2; i++) {
    await sendBatch(store.server.url, WRITE_KEY, events)
    await sendBatch(store.server.url, store.without.write, withoutX(events))
  }
}

const call = (url: string, key: string, init: RequestInit = {}) =>
  fetch(url, { ...init, headers: { authorization: `Bearer ${key}`, ...init.headers } })

/** Status and body of every path, for one project's read key. */
async function answers(store: Store, readKey: string) {
  const out: Record<string, string> = {}
  for (const path of PATHS) {
    const res = await call(`${store.server.url}${path}`, readKey)
    // `cutoff` is the moment of the request.
    const body = JSON.stringify(await res.json(), (k, v) => (k === 'cutoff' ? undefined : v))
    out[path] = `${res.status} ${body}`
  }
  return out
}

/** Rows naming X left in any table of the store (every column that holds a user id). */
async function rowsOfX(store: Store) {
  const { storage } = store.server
  const found = await storage.client.query({
    query: `SELECT table, name FROM system.columns
            WHERE database = {db:String} AND name IN ('user_id', 'entity_id', 'subject_id')
              AND table IN (SELECT name FROM system.tables
                            WHERE database = {db:String} AND engine LIKE '%MergeTree')`,
    query_params: { db: storage.database },
    format: 'JSONEachRow',
  })
  const left: Record<string, number> = {}
  for (const { table, name } of await found.json<{ table: string; name: string }>()) {
    const result = await storage.client.query({
      query: `SELECT count() AS n FROM ${storage.database}.${table}
              WHERE project_id = 'default' AND ${name} = {x:String}`,
      query_params: { x: X },
      format: 'JSONEachRow',
    })
    const n = Number((await result.json<{ n: string }>())[0]?.n)
    if (n > 0) left[table] = n
  }
  return left
}

/** A notification about X, as the webhook monitor stores it when it claims one. */
async function claimFor(store: Store, userId: string) {
  await store.server.storage.client.insert({
    table: `${store.server.storage.database}.webhook_claims`,
    values: [
      {
        project_id: 'default',
        level: 'user',
        entity_id: userId,
        seq: 1,
        kind: 'inactive',
        notification_id: `n_${userId}`,
        lease: 0,
        claimer: 'test',
        state: 'delivered',
        since: clickHouseTime(Date.now() - 86_400_000),
        payload: JSON.stringify({ data: { userId } }),
      },
    ],
    format: 'JSONEachRow',
  })
}

beforeAll(async () => {
  clickhouse = await startClickHouseServer({ dataDir: tempDataDir() })
  const [embedded, remote] = await Promise.all([
    startTestServer(),
    startTestServer({ CLICKHOUSE_URL: clickhouse.url }),
  ])
  stores.push(...(await Promise.all([open('embedded', embedded), open('remote', remote)])))
  const events = history()
  for (const store of stores) {
    await seed(store, events)
    await claimFor(store, X)
  }
}, 120_000)

afterAll(async () => {
  for (const store of stores) await store.server.close()
  await clickhouse?.stop()
})

describe('admin keys', () => {
  it('only an admin key deletes or exports; it does not read', async () => {
    const [store] = stores as [Store]
    const { url } = store.server
    const del = (key: string) => call(`${url}/v1/users/u_1`, key, { method: 'DELETE' })
    for (const key of [READ_KEY, WRITE_KEY]) {
      const res = await del(key)
      expect(res.status).toBe(403)
      expect((await res.json()).error.code).toBe('forbidden')
      expect((await call(`${url}/v1/users/u_1/export`, key)).status).toBe(403)
    }
    const unknown = await del(`lsa_${'x'.repeat(32)}`)
    expect(unknown.status).toBe(401)
    expect((await unknown.json()).error.code).toBe('unauthorized')
    expect((await fetch(`${url}/v1/users/u_1`, { method: 'DELETE' })).status).toBe(401)
    const reading = await call(`${url}/v1/users/u_1`, store.admin)
    expect(reading.status).toBe(403)
    expect((await reading.json()).error.message).toMatch(/admin key cannot read/)
    // Another project's admin key does not reach this project's users.
    expect(
      (await call(`${url}/v1/users/${X}`, store.without.admin, { method: 'DELETE' })).status,
    ).toBe(404)
    expect((await call(`${url}/v1/users/${X}/export`, store.without.admin)).status).toBe(404)
    expect((await call(`${url}/v1/users/u_1`, READ_KEY)).status).toBe(200)
  })
})

describe.each(['embedded', 'remote'])('on the %s store', (name) => {
  const store = () => stores.find((s) => s.name === name) as Store

  it('exports everything stored about the user as NDJSON', async () => {
    const res = await call(`${store().server.url}/v1/users/${X}/export`, store().admin)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/x-ndjson')
    const lines = (await res.text())
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l))
    const of = (type: string) => lines.filter((l) => l.type === type)
    expect(of('profile')).toEqual([
      expect.objectContaining({
        userId: X,
        accountId: 'acme',
        traits: { email: 'x@acme.io', name: 'Xavier' },
      }),
    ])
    expect(of('trait').map((t) => [t.key, t.value, t.at])).toEqual([
      ['email', 'x@acme.io', daysAgo(20)],
      ['name', 'Xavier', daysAgo(20)],
      ['plan', 'pro', daysAgo(20)],
      ['plan', null, daysAgo(2)],
    ])
    expect(of('account').map((a) => a.accountId)).toEqual(['solo', 'acme'])
    expect(of('account')[1].firstSeen).toBe(daysAgo(45))
    const mine = history().filter((e) => e.userId === X && e.type !== 'identify')
    const tracked = mine.filter((e) => e.type === 'track')
    expect(of('day').map((d) => d.date)).toEqual(
      [...new Set(mine.map((e) => e.timestamp.slice(0, 10)))].sort(),
    )
    // Ids are new on every call of history(): compare what does not change.
    expect(of('event').map((e) => [e.event, e.timestamp, e.accountId])).toEqual(
      tracked.map((e) => [e.event, e.timestamp, e.accountId ?? null]),
    )
    expect(of('event_count').reduce((n, e) => n + e.count, 0)).toBe(tracked.length)
    // The client's own time as sent (stored only where it differs from the stored time).
    expect(of('event').map((e) => e.clientTimestamp)).toEqual(tracked.map((e) => e.timestamp))
    // Each day's events, heartbeat days with none.
    expect(of('day').map((d) => [d.date, d.events])).toEqual(
      of('day').map((d) => [
        d.date,
        tracked.filter((e) => e.timestamp.slice(0, 10) === d.date).length,
      ]),
    )
    // Read a page at a time, ties of time included (two of X's events share theirs).
    const profile = await userProfile(store().server.storage, 'default', X, today)
    const paged = []
    for await (const line of exportUser(
      store().server.storage,
      'default',
      profile as UserProfile,
      1,
    )) {
      paged.push(line)
    }
    expect(paged).toEqual(lines)
    expect(of('notification')).toEqual([
      expect.objectContaining({ id: `n_${X}`, state: 'delivered', body: { data: { userId: X } } }),
    ])
  })

  it('answers everything afterwards as if the user had never been tracked', async () => {
    const s = store()
    const before = await answers(s, READ_KEY)
    const expected = await answers(s, s.without.read)
    expect(before).not.toEqual(expected)

    // Other users keep sending events, on X's days and names, while X is deleted.
    let deleting = true
    const racing = (async () => {
      let sent = 0
      while (deleting || sent === 0) {
        const batch = [20, 2, 0].map((n) =>
          track(n === 2 ? 'report.export' : 'search', `u_r${sent}`, n, 'acme'),
        )
        await sendBatch(s.server.url, WRITE_KEY, batch)
        await sendBatch(s.server.url, s.without.write, batch)
        sent++
      }
      return sent
    })()
    const started = Date.now()
    const res = await call(`${s.server.url}/v1/users/${X}`, s.admin, { method: 'DELETE' })
    const took = Date.now() - started
    deleting = false
    const raced = await racing
    console.info(`${name}: DELETE answered in ${took} ms; ${raced} batches of others raced it`)
    expect(raced).toBeGreaterThan(0)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ userId: X, deleted: true })

    expect(await rowsOfX(s)).toEqual({})
    const after = await answers(s, READ_KEY)
    const without = await answers(s, s.without.read)
    for (const path of PATHS) expect(after[path], path).toBe(without[path])

    const again = await call(`${s.server.url}/v1/users/${X}`, s.admin, { method: 'DELETE' })
    expect(again.status).toBe(404)
    expect((await again.json()).error.code).toBe('not_found')
  })
})

describe('lastseen-ingest users delete', () => {
  it('deletes on a stopped service and says what to do while it runs', async () => {
    const env = {
      LASTSEEN_DATA_DIR: tempDataDir(),
      LASTSEEN_WRITE_KEY: WRITE_KEY,
      LASTSEEN_READ_KEY: READ_KEY,
    }
    const created = await runCli(['keys', 'create', 'default', '--kind', 'admin'], env)
    expect(created.code).toBe(0)
    const admin = /admin key \(default\): (lsa_\S+)/.exec(created.stdout)?.[1] as string
    expect(created.stdout).not.toMatch(/write key|read key/)

    let server = await startCliServer(env)
    await sendBatch(server.url, WRITE_KEY, [
      track('search', 'u_a', 3, 'acme'),
      track('search', 'u_b', 3, 'acme'),
      track('search', 'u_c', 4, 'acme'),
    ])
    const busy = await runCli(['users', 'delete', 'u_a', '--project', 'default'], env)
    expectOneLine(
      busy,
      /has it open.*; while the service runs, send DELETE \/v1\/users\/u_a to it with an admin key/,
    )
    // The running service deletes with the admin key from the CLI.
    expect((await call(`${server.url}/v1/users/u_c`, admin, { method: 'DELETE' })).status).toBe(200)
    await server.stop()

    const usage = await runCli(['users', 'delete', 'u_a'], env)
    expectOneLine(usage, /^users delete needs --project <id>.*; see lastseen-ingest users --help$/)
    const done = await runCli(['users', 'delete', 'u_a', '--project', 'default'], env)
    expect(done.stderr).toBe('')
    expect(done.stdout).toMatch(/deleted user "u_a" of project default/)
    const unknown = await runCli(['users', 'delete', 'u_a', '--project', 'default'], env)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/no user "u_a"/)

    server = await startCliServer(env)
    expect((await call(`${server.url}/v1/users/u_a`, READ_KEY)).status).toBe(404)
    const events = await (
      await call(`${server.url}/v1/events?from=${addDays(today, -5)}&to=${today}`, READ_KEY)
    ).json()
    expect(events.events).toEqual([
      expect.objectContaining({ event: 'search', count: 1, users: 1 }),
    ])
    const account = await (await call(`${server.url}/v1/accounts/acme`, READ_KEY)).json()
    expect(account.users.map((u: { userId: string }) => u.userId)).toEqual(['u_b'])
    expect(account.firstSeen).toBe(daysAgo(3))
    await server.stop()
  }, 120_000)
})
