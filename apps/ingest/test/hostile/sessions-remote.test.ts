/**
 * Dashboard sessions shared by two service processes on one ClickHouse server (the chDB-backed
 * HTTP test server): a session made by one is good on the other; signing out on one ends it on
 * both; `lastseen-ingest keys revoke`, run from the command line meanwhile, ends it on both
 * within the key cache's lifetime.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/server.js'
import { READ_KEY, runCli, startTestServer, tempDataDir, waitUntil } from '../helpers.js'
import { type ClickHouseTestServer, startClickHouseServer } from '../support/clickhouse-server.js'
import { raw, setCookies } from './http.js'
import { expectAlive } from './support.js'

let clickhouse: ClickHouseTestServer
let a: RunningServer
let b: RunningServer
const env = () => ({ CLICKHOUSE_URL: clickhouse.url })

beforeAll(async () => {
  clickhouse = await startClickHouseServer({ dataDir: tempDataDir() })
  a = await startTestServer(env())
  b = await startTestServer(env())
})
afterAll(async () => {
  await a?.close()
  await b?.close()
  await clickhouse?.stop()
})

async function signIn(server: RunningServer, key: string): Promise<string> {
  const res = await raw(server.url, {
    path: '/session',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: server.url,
      'sec-fetch-site': 'same-origin',
    },
    body: `key=${encodeURIComponent(key)}`,
  })
  expect(res.status).toBe(303)
  return setCookies(res)[0] as string
}

async function signedIn(server: RunningServer, cookie: string): Promise<boolean> {
  const res = await fetch(`${server.url}/`, { headers: { cookie } })
  return (await res.text()).includes('data-testid="active-chart"')
}

/** Poll `check` every 200 ms for up to `timeoutMs`; how long it took. */
const until = (check: () => Promise<boolean>, timeoutMs: number) =>
  waitUntil(check, 'true', { timeoutMs, intervalMs: 200 })

describe('two processes on one ClickHouse', () => {
  it('share sessions, and a sign-out on one ends it on both', async () => {
    const cookie = await signIn(a, READ_KEY)
    expect(await signedIn(b, cookie)).toBe(true)
    expect(await signedIn(a, cookie)).toBe(true)
    const out = await raw(b.url, {
      path: '/session/end',
      headers: { origin: b.url, 'sec-fetch-site': 'same-origin', cookie },
      body: '',
    })
    expect(out.status).toBe(303)
    expect(await signedIn(b, cookie)).toBe(false)
    // The other process checked it less than 10 s ago: it finds out within that time.
    expect(await until(async () => !(await signedIn(a, cookie)), 15_000)).toBeLessThan(11_000)
    await expectAlive(a.url)
    await expectAlive(b.url)
  })

  it('end every session of a read key revoked from the command line', async () => {
    const created = await runCli(['keys', 'create', 'acme', '--kind', 'read'], env())
    expect(created.code).toBe(0)
    const key = /read key {2}\(acme\): (lsr_\S+)/.exec(created.stdout)?.[1] as string
    // New keys are known within the key cache's lifetime.
    const works = async (server: RunningServer) =>
      (await fetch(`${server.url}/v1/active`, { headers: { authorization: `Bearer ${key}` } })).ok
    await until(async () => (await works(a)) && (await works(b)), 15_000)
    const onA = await signIn(a, key)
    const onB = await signIn(b, key)
    for (const server of [a, b]) {
      for (const cookie of [onA, onB]) expect(await signedIn(server, cookie)).toBe(true)
    }
    const revoked = await runCli(['keys', 'revoke', key.slice(0, 8)], env())
    expect(revoked.code).toBe(0)
    const ended = async () => {
      for (const server of [a, b]) {
        for (const cookie of [onA, onB]) if (await signedIn(server, cookie)) return false
      }
      return true
    }
    expect(await until(ended, 15_000)).toBeLessThan(12_000)
    await expectAlive(a.url)
    await expectAlive(b.url)
  })
})
