/**
 * Segment's HTTP tracking API on a real service (embedded chDB, real socket), driven by the
 * real, unmodified `@segment/analytics-node` with only its host changed, and by raw HTTP for
 * what that client never sends (replays, gzip, the single-message routes, bad bodies).
 */
import { gzipSync } from 'node:zlib'
import { LIMITS } from '@lastseen/protocol'
import RudderAnalytics from '@rudderstack/rudder-sdk-node'
import { Analytics } from '@segment/analytics-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server.js'
import { nameBasedEventId } from '../src/wires/event-id.js'
import { count, READ_KEY, startTestServer, WRITE_KEY } from './helpers.js'

let server: RunningServer
let projectId: string
beforeAll(async () => {
  server = await startTestServer()
  const rows = await server.storage.client.query({
    query: `SELECT project_id FROM ${server.storage.database}.api_keys WHERE kind = 'write'`,
    format: 'JSONEachRow',
  })
  projectId = (await rows.json<{ project_id: string }>())[0]?.project_id ?? ''
})
afterAll(async () => {
  await server.close()
})

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`

/** A client as an application would create it, pointed at the service. */
const client = () => new Analytics({ writeKey: WRITE_KEY, host: server.url, flushInterval: 50 })

async function read<T>(path: string): Promise<T> {
  const res = await fetch(`${server.url}${path}`, {
    headers: { authorization: `Bearer ${READ_KEY}` },
  })
  expect(res.status, path).toBe(200)
  return (await res.json()) as T
}

type EventsAnswer = { events: { event: string; count: number; users: number }[] }
const eventsOf = async (userId: string) =>
  Object.fromEntries(
    (await read<EventsAnswer>(`/v1/events?userId=${userId}`)).events.map((e) => [e.event, e.count]),
  )

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body:
      typeof body === 'string' || Buffer.isBuffer(body) ? (body as BodyInit) : JSON.stringify(body),
  })
}

/** A Segment message as a client would send it; `extra` adds or overrides fields. */
const message = (type: string, extra: Record<string, unknown> = {}) => ({
  type,
  messageId: `raw-${crypto.randomUUID()}`,
  timestamp: new Date().toISOString(),
  ...extra,
})

/** The value of `lastseen_wire_messages_total{wire="segment",outcome}` at `/metrics`. */
async function wireCount(outcome: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text()
  const line = new RegExp(
    `^lastseen_wire_messages_total\\{wire="segment",outcome="${outcome}"\\} (\\d+)$`,
    'm',
  ).exec(text)
  return Number(line?.[1] ?? 0)
}

const storedRows = (id: string) =>
  count(server, `SELECT count() AS n FROM {db}.events WHERE id = '${id}'`)

describe('@segment/analytics-node, host changed', () => {
  it('stores track, identify, group and page once each: events, user traits, account', async () => {
    const analytics = client()
    const sent: string[] = []
    analytics.on('http_request', (req) => sent.push(req.body))
    const delivered: unknown[] = []
    const done = (err: unknown) => delivered.push(err)
    analytics.identify({ userId: 'seg_ann', traits: { email: 'ann@acme.io', name: 'Ann' } }, done)
    analytics.group(
      { userId: 'seg_ann', groupId: 'seg_acme', traits: { name: 'Acme Inc', mrr: 490 } },
      done,
    )
    analytics.track(
      {
        userId: 'seg_ann',
        event: 'report_exported',
        properties: { format: 'csv' },
        context: { groupId: 'seg_acme' },
      },
      done,
    )
    analytics.page({ userId: 'seg_ann', name: 'Pricing', properties: { path: '/pricing' } }, done)
    await analytics.closeAndFlush()
    expect(delivered).toEqual([undefined, undefined, undefined, undefined])
    expect(sent.length).toBeGreaterThan(0)

    expect(await eventsOf('seg_ann')).toEqual({ report_exported: 1, page: 1 })
    const user = await read<{ traits: Record<string, unknown>; accountId: string }>(
      '/v1/users/seg_ann',
    )
    expect(user.traits).toEqual({ email: 'ann@acme.io', name: 'Ann' })
    const account = await read<{
      traits: Record<string, unknown>
      users: { userId: string }[]
    }>('/v1/accounts/seg_acme')
    expect(account.traits).toEqual({ mrr: 490, name: 'Acme Inc' })
    expect(account.users.map((u) => u.userId)).toEqual(['seg_ann'])

    // The page's name is in the page event's properties.
    const props = await server.storage.client.query({
      query: `SELECT properties FROM ${server.storage.database}.events WHERE user_id = 'seg_ann' AND event = 'page'`,
      format: 'JSONEachRow',
    })
    const [page] = await props.json<{ properties: string }>()
    expect(JSON.parse(page?.properties ?? '{}')).toEqual({ path: '/pricing', name: 'Pricing' })

    // The same client batch sent again, as a retry after a lost answer: nothing counted twice.
    const duplicatesBefore = await wireCount('duplicate')
    for (const body of sent) {
      const res = await post('/v1/batch', body, { authorization: basic(WRITE_KEY) })
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ success: true })
    }
    expect(await wireCount('duplicate')).toBe(duplicatesBefore + 4)
    expect(await eventsOf('seg_ann')).toEqual({ report_exported: 1, page: 1 })
  })

  it('answers 401 to a wrong write key, and the client reports the event as not delivered', async () => {
    const analytics = new Analytics({
      writeKey: 'lsw_not_a_key_0000000000',
      host: server.url,
      maxRetries: 0,
    })
    const statuses: number[] = []
    analytics.on('http_response', (res) => statuses.push(res.status))
    const errors: unknown[] = []
    analytics.track({ userId: 'seg_nokey', event: 'x' }, (err) => errors.push(err))
    await analytics.closeAndFlush()
    expect(statuses).toEqual([401])
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeDefined()
    expect(await eventsOf('seg_nokey')).toEqual({})
  })
})

describe("RudderStack's Node SDK, data plane URL changed", () => {
  it('stores its gzip batches (labelled as a form) once: events, traits, account', async () => {
    const rudder = new RudderAnalytics(WRITE_KEY, {
      dataPlaneUrl: server.url,
      flushAt: 10,
      logLevel: 'error',
    })
    rudder.identify({ userId: 'rs_bo', traits: { email: 'bo@initech.io' } })
    rudder.group({ userId: 'rs_bo', groupId: 'rs_initech', traits: { name: 'Initech' } })
    rudder.track({ userId: 'rs_bo', event: 'invoice_sent', context: { groupId: 'rs_initech' } })
    await rudder.flush()
    expect(await eventsOf('rs_bo')).toEqual({ invoice_sent: 1 })
    expect((await read<{ traits: unknown }>('/v1/users/rs_bo')).traits).toEqual({
      email: 'bo@initech.io',
    })
    const account = await read<{ traits: unknown; users: { userId: string }[] }>(
      '/v1/accounts/rs_initech',
    )
    expect(account.traits).toEqual({ name: 'Initech' })
    expect(account.users.map((u) => u.userId)).toEqual(['rs_bo'])
  })
})

describe('the batch route in Segment wire', () => {
  it('takes the key from Authorization: Basic or from writeKey in the body', async () => {
    const byHeader = message('track', { userId: 'seg_keys', event: 'by_header' })
    expect(
      (await post('/v1/batch', { batch: [byHeader] }, { authorization: basic(WRITE_KEY) })).status,
    ).toBe(200)
    const byBody = message('track', { userId: 'seg_keys', event: 'by_body' })
    const res = await post(
      '/v1/batch',
      { batch: [byBody], writeKey: WRITE_KEY },
      { 'content-type': 'text/plain' },
    )
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ success: true })
    expect(await eventsOf('seg_keys')).toEqual({ by_header: 1, by_body: 1 })
  })

  it('answers 401 to a wrong key in either place', async () => {
    const body = { batch: [message('track', { userId: 'seg_bad', event: 'x' })] }
    const byHeader = await post('/v1/batch', body, { authorization: basic('lsw_wrong_key_000000') })
    expect(byHeader.status).toBe(401)
    expect(((await byHeader.json()) as { error: { code: string } }).error.code).toBe('unauthorized')
    const byBody = await post('/v1/batch', { ...body, writeKey: 'lsw_wrong_key_000000' })
    expect(byBody.status).toBe(401)
    expect((await post('/v1/batch', body)).status).toBe(401)
    expect(await eventsOf('seg_bad')).toEqual({})
  })

  it('answers 400 to a malformed batch', async () => {
    const auth = { authorization: basic(WRITE_KEY) }
    const notArray = await post('/v1/batch', { batch: 'nope' }, auth)
    expect(notArray.status).toBe(400)
    expect(((await notArray.json()) as { error: { message: string } }).error.message).toMatch(
      /batch/,
    )
    expect((await post('/v1/batch', '{"batch": [', auth)).status).toBe(400)
    expect((await post('/v1/batch', { batch: [] }, auth)).status).toBe(400)
  })

  it('answers 413 to more messages than a request may carry', async () => {
    const batch = Array.from({ length: LIMITS.maxBatchEvents + 1 }, () =>
      message('track', { userId: 'seg_413', event: 'e' }),
    )
    const res = await post('/v1/batch', { batch }, { authorization: basic(WRITE_KEY) })
    expect(res.status).toBe(413)
    expect(await eventsOf('seg_413')).toEqual({})
  })

  it('reads a gzip body', async () => {
    const body = gzipSync(
      JSON.stringify({ batch: [message('track', { userId: 'seg_gzip', event: 'zipped' })] }),
    )
    const res = await post('/v1/batch', body, {
      authorization: basic(WRITE_KEY),
      'content-encoding': 'gzip',
    })
    expect(res.status).toBe(200)
    expect(await eventsOf('seg_gzip')).toEqual({ zipped: 1 })
  })

  it('derives the event id from any messageId: the same message again is a duplicate', async () => {
    const m = message('track', { messageId: 'node-next-1795-fef1', userId: 'seg_id', event: 'e' })
    const auth = { authorization: basic(WRITE_KEY) }
    expect((await post('/v1/batch', { batch: [m] }, auth)).status).toBe(200)
    expect((await post('/v1/batch', { batch: [m] }, auth)).status).toBe(200)
    const id = nameBasedEventId('segment', projectId, 'node-next-1795-fef1')
    expect(await storedRows(id)).toBe(1)
    expect(await eventsOf('seg_id')).toEqual({ e: 1 })
  })

  it('stores the valid messages of a batch, and counts the refused ones in /metrics', async () => {
    const rejectedBefore = await wireCount('rejected')
    const res = await post(
      '/v1/batch',
      {
        batch: [
          message('track', { userId: 'seg_mixed', event: 'kept' }),
          message('track', { userId: 'seg_mixed' }), // no event name
          { type: 'track', userId: 'seg_mixed', event: 'no_id' }, // no messageId
          message('seen', { userId: 'seg_mixed' }), // not a Segment type
        ],
      },
      { authorization: basic(WRITE_KEY) },
    )
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ success: true })
    expect(await eventsOf('seg_mixed')).toEqual({ kept: 1 })
    expect(await wireCount('rejected')).toBe(rejectedBefore + 3)
  })

  it('does not store a message without userId as a user, but counts it', async () => {
    const anonymousBefore = await wireCount('anonymous')
    const acceptedBefore = await wireCount('accepted')
    const res = await post('/v1/batch', {
      batch: [message('track', { anonymousId: 'anon_1', event: 'browse' })],
      writeKey: WRITE_KEY,
    })
    expect(res.status).toBe(200)
    expect(await wireCount('anonymous')).toBe(anonymousBefore + 1)
    expect(await wireCount('accepted')).toBe(acceptedBefore)
    expect(
      await count(server, `SELECT count() AS n FROM {db}.events WHERE user_id = 'anon_1'`),
    ).toBe(0)
  })

  it('corrects a skewed client clock by its sentAt, as for lastseen events', async () => {
    const now = Date.now()
    const hour = 3_600_000
    // The client's clock is two hours ahead: its timestamp and sentAt both are.
    const m = message('track', {
      userId: 'seg_skew',
      event: 'skewed',
      timestamp: new Date(now + 2 * hour - 60_000).toISOString(),
    })
    const res = await post(
      '/v1/batch',
      { batch: [m], sentAt: new Date(now + 2 * hour).toISOString() },
      { authorization: basic(WRITE_KEY) },
    )
    expect(res.status).toBe(200)
    const rows = await server.storage.client.query({
      query: `SELECT toUnixTimestamp64Milli(timestamp) AS at FROM ${server.storage.database}.events WHERE user_id = 'seg_skew'`,
      format: 'JSONEachRow',
    })
    const [row] = await rows.json<{ at: string }>()
    expect(Math.abs(Number(row?.at) - (now - 60_000))).toBeLessThan(5_000)
  })

  it('takes originalTimestamp when there is no timestamp, and the batch context', async () => {
    const at = new Date(Date.now() - 3 * 3_600_000).toISOString()
    const { timestamp: _t, ...m } = message('track', {
      userId: 'seg_orig',
      event: 'earlier',
      originalTimestamp: at,
    })
    const res = await post(
      '/v1/batch',
      { batch: [m], context: { groupId: 'seg_orig_co' } },
      { authorization: basic(WRITE_KEY) },
    )
    expect(res.status).toBe(200)
    const rows = await server.storage.client.query({
      query: `SELECT toUnixTimestamp64Milli(timestamp) AS at, account_id FROM ${server.storage.database}.events WHERE user_id = 'seg_orig'`,
      format: 'JSONEachRow',
    })
    expect(await rows.json()).toEqual([{ at: Date.parse(at), account_id: 'seg_orig_co' }])
  })

  it('leaves lastseen’s own batches to lastseen’s protocol', async () => {
    const res = await post(
      '/v1/batch',
      {
        sentAt: new Date().toISOString(),
        batch: [{ id: crypto.randomUUID(), type: 'track', event: 'own', userId: 'seg_own' }],
        writeKey: WRITE_KEY,
      },
      { 'content-type': 'text/plain' },
    )
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] })
  })
})

describe('the single-message routes', () => {
  const auth = () => ({ authorization: basic(WRITE_KEY) })

  it('stores track, identify, group, page and screen; the path gives the type', async () => {
    const paths = {
      '/v1/identify': { userId: 'seg_one', traits: { plan: 'pro' } },
      '/v1/group': { userId: 'seg_one', groupId: 'seg_one_co', traits: { seats: 3 } },
      '/v1/track': { userId: 'seg_one', event: 'clicked', context: { groupId: 'seg_one_co' } },
      '/v1/page': { userId: 'seg_one', name: 'Home' },
      '/v1/screen': { userId: 'seg_one', name: 'Settings' },
    }
    for (const [path, body] of Object.entries(paths)) {
      const { type: _type, ...m } = message('ignored', body)
      const res = await post(path, m, auth())
      expect(res.status, path).toBe(200)
      expect(await res.json()).toEqual({ success: true })
    }
    expect(await eventsOf('seg_one')).toEqual({ clicked: 1, page: 1, screen: 1 })
    const user = await read<{ traits: unknown }>('/v1/users/seg_one')
    expect(user.traits).toEqual({ plan: 'pro' })
    const account = await read<{ traits: unknown }>('/v1/accounts/seg_one_co')
    expect(account.traits).toEqual({ seats: 3 })
  })

  it('accepts an alias, counts it, and merges nothing', async () => {
    const before = await wireCount('alias')
    const res = await post(
      '/v1/alias',
      message('alias', { userId: 'seg_new', previousId: 'seg_old' }),
      auth(),
    )
    expect(res.status).toBe(200)
    expect(await wireCount('alias')).toBe(before + 1)
    expect(await eventsOf('seg_new')).toEqual({})
  })

  it('answers 400 naming what is wrong with the one message', async () => {
    const res = await post('/v1/track', message('track', { userId: 'seg_400' }), auth())
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/event/)
    const noId = await post('/v1/identify', { userId: 'seg_400', traits: {} }, auth())
    expect(noId.status).toBe(400)
    expect(((await noId.json()) as { error: { message: string } }).error.message).toMatch(
      /messageId/,
    )
  })

  it('takes a Segment track without Authorization by its messageId, key in the body', async () => {
    const res = await post(
      '/v1/track',
      { ...message('track', { userId: 'seg_beacon', event: 'beacon' }), writeKey: WRITE_KEY },
      { 'content-type': 'text/plain' },
    )
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ success: true })
    expect(await eventsOf('seg_beacon')).toEqual({ beacon: 1 })
  })
})

// Last: it uses up this address's budget of wrong keys.
describe('wrong keys in Authorization: Basic', () => {
  it('are throttled like every key: a burst gets 429 with Retry-After', async () => {
    const body = JSON.stringify({ batch: [message('track', { userId: 'seg_guess', event: 'x' })] })
    const statuses = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const res = await post('/v1/batch', body, {
          authorization: basic(`lsw_${String(i).padStart(40, 'g')}`),
        })
        return { status: res.status, retryAfter: res.headers.get('retry-after') }
      }),
    )
    const refused = statuses.filter((s) => s.status === 429)
    expect(refused.length).toBeGreaterThan(0)
    expect(refused.every((s) => Number(s.retryAfter) >= 1)).toBe(true)
    expect(statuses.filter((s) => s.status !== 429 && s.status !== 401)).toEqual([])
  })
})
