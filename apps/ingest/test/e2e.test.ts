/**
 * End to end: the SDK sends over a real socket to the service, which stores in embedded chDB.
 */
import { createTracker } from '@lastseen/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server.js'
import { count, startTestServer, WRITE_KEY } from './helpers.js'

type Events = { search: { query: string }; login: undefined }

describe('SDK → HTTP → ingest → chDB', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => {
    await server.close()
  })

  it('stores tracked events and counts them in the aggregates', async () => {
    const tracker = createTracker<Events>({ endpoint: server.url, writeKey: WRITE_KEY })
    tracker.track('search', { query: 'churn' }, { userId: 'u_1', accountId: 'acme' })
    tracker.track('search', { query: 'retention' }, { userId: 'u_1', accountId: 'acme' })
    tracker.track('login', undefined, { userId: 'u_2' })
    await tracker.flush()

    expect(
      await count(server, "SELECT count() AS n FROM {db}.events WHERE project_id = 'default'"),
    ).toBe(3)
    expect(
      await count(
        server,
        "SELECT uniqExactMerge(events) AS n FROM {db}.event_days WHERE event = 'search' AND user_id = 'u_1'",
      ),
    ).toBe(2)
    expect(await count(server, 'SELECT count() AS n FROM {db}.users FINAL')).toBe(2)
  })

  it('answers a resent batch with duplicates and stores nothing twice', async () => {
    const batch = {
      sentAt: new Date().toISOString(),
      batch: [{ id: crypto.randomUUID(), type: 'track', event: 'search', userId: 'u_3' }],
    }
    const send = () =>
      fetch(`${server.url}/v1/batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${WRITE_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(batch),
      }).then((r) => r.json())
    expect(await send()).toEqual({ accepted: 1, duplicates: 0, rejected: [] })
    expect(await send()).toEqual({ accepted: 0, duplicates: 1, rejected: [] })
    expect(await count(server, "SELECT count() AS n FROM {db}.events WHERE user_id = 'u_3'")).toBe(
      1,
    )
  })

  it('refuses an unknown write key with 401 in the error shape', async () => {
    const res = await fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: 'Bearer lsw_nope', 'content-type': 'application/json' },
      body: JSON.stringify({ sentAt: new Date().toISOString(), batch: [{}] }),
    })
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ error: { code: 'unauthorized' } })
  })
})
