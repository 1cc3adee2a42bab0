/**
 * The read API on a ClickHouse server (`CLICKHOUSE_URL`, the chDB-backed HTTP test server)
 * answers exactly what it answers on the embedded store, for the same history.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDays, dayOf } from '../src/insights/days.js'
import type { RunningServer } from '../src/server.js'
import { READ_KEY, startTestServer, tempDataDir, WRITE_KEY } from './helpers.js'
import { type ClickHouseTestServer, startClickHouseServer } from './support/clickhouse-server.js'
import { groupEvent, identifyEvent } from './support/events.js'
import { knownHistory, sendBatch } from './support/insights-seed.js'

let clickhouse: ClickHouseTestServer
let embedded: RunningServer
let remote: RunningServer

const today = dayOf(Date.now())
const PATHS = [
  '/v1/users/u_1',
  '/v1/users/u_3',
  '/v1/accounts/acme',
  `/v1/active?interval=day&from=${addDays(today, -45)}&to=${today}`,
  `/v1/active?interval=week&from=${addDays(today, -60)}&to=${today}`,
  '/v1/inactive?level=user&sort=events',
  '/v1/inactive?level=account&after=10d',
  `/v1/events?from=${addDays(today, -59)}&to=${today}&accountId=acme`,
  '/v1/frequency?weeks=8',
  '/v1/inactive?level=account&sort=mrr&after=1d',
  '/v1/users?search=u_',
  '/v1/accounts?search=a',
]

beforeAll(async () => {
  clickhouse = await startClickHouseServer({ dataDir: tempDataDir() })
  ;[embedded, remote] = await Promise.all([
    startTestServer(),
    startTestServer({ CLICKHOUSE_URL: clickhouse.url }),
  ])
  const history = [
    ...knownHistory(),
    identifyEvent('u_1', { email: 'ann@acme.io', name: 'Ann' }),
    identifyEvent(
      'u_1',
      { name: null },
      { timestamp: new Date(Date.now() + 60_000).toISOString() },
    ),
    identifyEvent('u_9', { name: 'Nina' }),
    groupEvent('acme', { name: 'Acme Inc', mrr: 490 }),
    groupEvent('globex', { mrr: 90 }),
    groupEvent('ateam', { name: 'A team' }),
  ]
  await sendBatch(embedded.url, WRITE_KEY, history)
  await sendBatch(remote.url, WRITE_KEY, history)
})

afterAll(async () => {
  await embedded?.close()
  await remote?.close()
  await clickhouse?.stop()
})

describe('read API on a ClickHouse server', () => {
  it('gives the same answers as the embedded store', async () => {
    for (const path of PATHS) {
      const [a, b] = await Promise.all(
        [embedded, remote].map(async (s) => {
          const res = await fetch(`${s.url}${path}`, {
            headers: { authorization: `Bearer ${READ_KEY}` },
          })
          expect(res.status, path).toBe(200)
          const body = await res.json()
          // `cutoff` is the moment of the request.
          return JSON.stringify(body, (k, v) => (k === 'cutoff' ? undefined : v))
        }),
      )
      expect(b, path).toBe(a)
    }
    const u1 = await fetch(`${remote.url}/v1/users/u_1`, {
      headers: { authorization: `Bearer ${READ_KEY}` },
    })
    expect((await u1.json()).traits).toEqual({ email: 'ann@acme.io' })
  })
})
