/**
 * Group commit over real HTTP on embedded chDB: concurrent requests share inserts, each request
 * still gets its own counts, duplicates are found within a batch, across requests of one group
 * and across groups, and the stored times follow the clock-skew rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server.js'
import { eventKey, forEachStoredKey } from '../src/storage/event-store.js'
import { count, startTestServer, WRITE_KEY } from './helpers.js'
import { trackEvent } from './support/events.js'

let server: RunningServer
beforeAll(async () => {
  // A long interval between inserts, so that concurrent requests surely meet in one group.
  server = await startTestServer({ LASTSEEN_INSERT_INTERVAL: '300ms' })
})
afterAll(async () => {
  await server.close()
})

const track = trackEvent

async function send(batch: unknown[], sentAt = new Date().toISOString()) {
  const res = await fetch(`${server.url}/v1/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${WRITE_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ sentAt, batch }),
  })
  expect(res.status).toBe(200)
  return (await res.json()) as { accepted: number; duplicates: number; rejected: unknown[] }
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(`${name} `))
  return Number(line?.split(' ')[1] ?? Number.NaN)
}

describe('group commit', () => {
  it('answers each of many concurrent requests with its own counts, from few inserts', async () => {
    const groupsBefore = await metric('lastseen_insert_rows_count')
    const shared = track('g_shared')
    const requests = Array.from({ length: 40 }, (_, r) => {
      const own = Array.from({ length: 50 }, () => track(`g_${r}`))
      // Every request repeats its first event (a duplicate within the batch) and carries the
      // same shared event (duplicates across requests of one group).
      return [...own, own[0], shared]
    })
    const answers = await Promise.all(requests.map((batch) => send(batch)))
    const groups = (await metric('lastseen_insert_rows_count')) - groupsBefore

    for (const answer of answers) {
      expect(answer.accepted + answer.duplicates).toBe(52)
      expect(answer.duplicates).toBeGreaterThanOrEqual(1)
    }
    const accepted = answers.reduce((n, a) => n + a.accepted, 0)
    expect(accepted).toBe(40 * 50 + 1)
    expect(
      await count(server, "SELECT count() AS n FROM {db}.events WHERE startsWith(user_id, 'g_')"),
    ).toBe(40 * 50 + 1)
    expect(groups).toBeLessThan(40)
  })

  it('answers a resent batch as duplicates, and a mixed one in part', async () => {
    const batch = [track('resend'), track('resend')]
    expect(await send(batch)).toMatchObject({ accepted: 2, duplicates: 0 })
    expect(await send(batch)).toMatchObject({ accepted: 0, duplicates: 2 })
    expect(await send([...batch, track('resend')])).toMatchObject({ accepted: 1, duplicates: 2 })
    expect(
      await count(
        server,
        "SELECT uniqExactMerge(events) AS n FROM {db}.event_days WHERE user_id = 'resend'",
      ),
    ).toBe(3)
  })

  it('loads every stored id for the filter of stored ids, slice by slice', async () => {
    await send(Array.from({ length: 30 }, () => track('slices')))
    const result = await server.storage.client.query({
      query: `SELECT project_id, toString(id) AS id FROM ${server.storage.database}.event_ids`,
      format: 'JSONEachRow',
    })
    const stored = (await result.json<{ project_id: string; id: string }>()).map((r) =>
      eventKey(r.project_id, r.id),
    )
    const loaded: string[] = []
    // Slices of about 7 ids: several queries, each id read exactly once.
    await forEachStoredKey(server.storage, (key) => loaded.push(key), 7)
    expect(stored.length).toBeGreaterThanOrEqual(30)
    expect(loaded.sort()).toEqual(stored.sort())
  })

  it('counts the events clients say they dropped', async () => {
    const before = await metric('lastseen_client_dropped_events_total')
    const res = await fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WRITE_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sentAt: new Date().toISOString(), dropped: 7, batch: [track('d')] }),
    })
    expect(res.status).toBe(200)
    expect((await metric('lastseen_client_dropped_events_total')) - (before || 0)).toBe(7)
  })

  it('exposes queue depth and event outcomes at /metrics', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text()
    expect(text).toContain('# TYPE lastseen_queue_events gauge')
    expect(text).toMatch(/lastseen_events_total\{outcome="duplicate"\} \d+/)
    expect(text).toMatch(
      /lastseen_http_requests_total\{method="POST",route="\/v1\/batch",status="200"\} \d+/,
    )
    expect(await metric('lastseen_queue_events')).toBe(0)
  })
})

describe('stored values', () => {
  it('keeps every character of names, ids and properties (tabs, line breaks, backslashes)', async () => {
    const tricky = 'tab\there\nnew line\r\\N back\\slash "quoted" \u0000 é 😀'
    const properties = { text: tricky, nested: { list: [1, 'a\tb', null] }, '\t key': true }
    const event = track(`user ${tricky}`, {
      event: `event ${tricky}`,
      accountId: `account ${tricky}`,
      properties,
    })
    const seen = { id: crypto.randomUUID(), type: 'seen', userId: `seen ${tricky}` }
    expect(await send([event, seen])).toMatchObject({ accepted: 2, duplicates: 0 })
    const result = await server.storage.client.query({
      query: `SELECT event, user_id, account_id, properties, client_timestamp
              FROM ${server.storage.database}.events WHERE id = {id:UUID}`,
      query_params: { id: event.id },
      format: 'JSONEachRow',
    })
    const [row] = await result.json<Record<string, unknown>>()
    expect(row).toMatchObject({
      event: `event ${tricky}`,
      user_id: `user ${tricky}`,
      account_id: `account ${tricky}`,
      // No timestamp sent: none is kept as the client's.
      client_timestamp: null,
    })
    expect(JSON.parse(row?.properties as string)).toEqual(properties)
    const ids = await server.storage.client.query({
      query: `SELECT toString(id) AS id FROM ${server.storage.database}.event_ids
              WHERE user_id = {user:String}`,
      query_params: { user: seen.userId },
      format: 'JSONEachRow',
    })
    expect(await ids.json()).toEqual([{ id: seen.id }])
  })
})

describe('stored times', () => {
  const stored = async (id: string) => {
    const result = await server.storage.client.query({
      query: `SELECT toString(timestamp) AS t, toString(client_timestamp) AS client, flags
              FROM ${server.storage.database}.events WHERE id = {id:UUID}`,
      query_params: { id },
      format: 'JSONEachRow',
    })
    return (await result.json<{ t: string; client: string; flags: number }>())[0]
  }

  it('corrects a clock that is hours off, keeping what the client sent', async () => {
    const now = Date.now()
    const behind = 3 * 3_600_000 + 120_000 // the client's clock is 3 h 2 min behind
    const clientTime = new Date(now - behind - 60_000).toISOString()
    const event = track('skewed', { timestamp: clientTime })
    await send([event], new Date(now - behind).toISOString())
    const row = await stored(event.id)
    expect(row?.client).toBe(clientTime.replace('T', ' ').replace('Z', ''))
    const correctedMs = Date.parse(`${row?.t.replace(' ', 'T')}Z`)
    expect(correctedMs).toBe(Date.parse(clientTime) + 3 * 3_600_000)
    expect(row?.flags).toBe(2)
  })

  it('clamps a timestamp far in the future and flags it', async () => {
    const event = track('future', { timestamp: '2099-01-01T00:00:00.000Z' })
    await send([event])
    const row = await stored(event.id)
    expect(row?.t.startsWith('2099')).toBe(false)
    expect(row?.flags).toBe(4)
  })

  it('rejects an event older than the late-event window, storing the others', async () => {
    const answer = await send([track('late', { timestamp: '1999-12-31T00:00:00Z' }), track('late')])
    expect(answer.accepted).toBe(1)
    expect(answer.rejected).toEqual([
      { index: 0, reason: expect.stringMatching(/late-event window/) },
    ])
  })
})
