/**
 * PostHog's capture API on a real service (embedded chDB, real socket), driven by the real,
 * unmodified `posthog-node`: capture, identify, groupIdentify and groups land as lastseen
 * events, traits and accounts, each counted once, also when the client retries a batch or the
 * same batch is sent twice; the bodies `posthog-js` sends (gzip without a header, base64
 * forms); 401, 400; and the flag and configuration routes answer so the client neither throws
 * nor loops.
 */
import { gzipSync } from 'node:zlib'
import { LIMITS } from '@lastseen/protocol'
import { PostHog } from 'posthog-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server.js'
import { OTHER_WRITE_KEY, READ_KEY, startWithOtherProject, WRITE_KEY } from './helpers.js'

let server: RunningServer
beforeAll(async () => {
  // Accounts are another group type than the default `company`, as a setting makes them.
  server = await startWithOtherProject({ LASTSEEN_POSTHOG_ACCOUNT_GROUP: 'organization' })
})
afterAll(async () => {
  await server.close()
})

/** A request the client made, as it went on the wire. */
interface Sent {
  url: string
  headers: Record<string, string>
  body: Buffer | undefined
  status: number
}

/**
 * A `posthog-node` client on the service, with a fetch that records each request. `lose` is
 * asked per request whether to drop the answer (the request was served; the client sees 503).
 */
function client(
  options: { lose?: (url: string) => boolean; key?: string; personalApiKey?: string } = {},
) {
  const sent: Sent[] = []
  const ph = new PostHog(options.key ?? WRITE_KEY, {
    host: server.url,
    flushAt: 100,
    flushInterval: 0,
    fetchRetryDelay: 10,
    ...(options.personalApiKey
      ? { personalApiKey: options.personalApiKey, featureFlagsPollingInterval: 100 }
      : {}),
    fetch: async (url, init) => {
      const body = init?.body
      const bytes =
        body === undefined
          ? undefined
          : typeof body === 'string'
            ? Buffer.from(body)
            : body instanceof Blob
              ? Buffer.from(await body.arrayBuffer())
              : Buffer.from(body)
      const res = await fetch(url, { ...init, ...(bytes ? { body: bytes } : {}) } as RequestInit)
      sent.push({
        url,
        headers: Object.fromEntries(new Headers(init?.headers as HeadersInit).entries()),
        body: bytes,
        status: res.status,
      })
      if (options.lose?.(url)) {
        await res.arrayBuffer()
        return new Response('lost', { status: 503 })
      }
      return res
    },
  })
  return { ph, sent }
}

async function get(path: string) {
  const res = await fetch(`${server.url}${path}`, {
    headers: { authorization: `Bearer ${READ_KEY}` },
  })
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
  return { status: res.status, body: (await res.json()) as any }
}

/** Each event name of `userId` with its count. */
async function eventsOf(userId: string): Promise<Record<string, number>> {
  const { body } = await get(`/v1/events?userId=${encodeURIComponent(userId)}`)
  return Object.fromEntries(
    (body.events as { event: string; count: number }[]).map((e) => [e.event, e.count]),
  )
}

function post(path: string, body: BodyInit, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  })
}

const uuid = () => crypto.randomUUID()

/** An event as posthog-js sends it (`extra` both in `properties` and on the event). */
const event = (distinctId: string, name = 'click', extra: object = {}) => ({
  event: name,
  distinct_id: distinctId,
  uuid: uuid(),
  timestamp: new Date().toISOString(),
  properties: { token: WRITE_KEY, $lib: 'web', ...extra },
})

/** A body as posthog-js and posthog-node send it. */
const batch = (events: object[]) =>
  JSON.stringify({ api_key: WRITE_KEY, batch: events, sent_at: new Date().toISOString() })

describe('posthog-node, unmodified', () => {
  it('stores capture, identify, groupIdentify and groups: events once, traits, the account', async () => {
    const { ph, sent } = client()
    ph.capture({ distinctId: 'ph_ann', event: 'search', properties: { q: 'boots' } })
    ph.capture({
      distinctId: 'ph_ann',
      event: 'search',
      groups: { organization: 'ph_acme', company: 'not_it' },
    })
    ph.capture({ distinctId: 'ph_ann', event: '$pageview', properties: { $current_url: '/x' } })
    ph.identify({
      distinctId: 'ph_ann',
      properties: { $set: { email: 'ann@acme.io', name: 'Ann' }, $set_once: { first: 'x' } },
    })
    ph.groupIdentify({
      groupType: 'organization',
      groupKey: 'ph_acme',
      properties: { name: 'Acme', mrr: 490 },
    })
    // Another group type (here the default one) is not an account.
    ph.groupIdentify({ groupType: 'company', groupKey: 'ph_acme', properties: { name: 'Not it' } })
    await ph.shutdown()

    expect(sent.map((s) => new URL(s.url).pathname)).toEqual(['/batch/'])
    expect(sent[0]?.headers['content-encoding']).toBe('gzip')
    expect(sent[0]?.status).toBe(200)
    expect(await eventsOf('ph_ann')).toEqual({ search: 2, page: 1 })
    const user = await get('/v1/users/ph_ann')
    expect(user.body.traits).toEqual({ email: 'ann@acme.io', name: 'Ann' })
    const account = await get('/v1/accounts/ph_acme')
    expect(account.status).toBe(200)
    expect(account.body.traits).toEqual({ name: 'Acme', mrr: 490 })
    expect(account.body.users.map((u: { userId: string }) => u.userId)).toEqual(['ph_ann'])
    expect((await get('/v1/accounts/not_it')).status).toBe(404)
  })

  it('counts a batch once when the client retries it after losing the answer', async () => {
    let lost = 0
    const { ph, sent } = client({ lose: (url) => url.includes('/batch/') && lost++ === 0 })
    ph.capture({ distinctId: 'ph_retry', event: 'export' })
    ph.capture({ distinctId: 'ph_retry', event: 'export' })
    await ph.shutdown()
    // Served twice: once with the answer lost, once answered.
    expect(sent.filter((s) => s.url.includes('/batch/'))).toHaveLength(2)
    expect(await eventsOf('ph_retry')).toEqual({ export: 2 })
  })

  it('counts the same batch sent twice once', async () => {
    const { ph, sent } = client()
    ph.capture({ distinctId: 'ph_twice', event: 'export' })
    await ph.shutdown()
    const [first] = sent
    const again = await post('/batch/', Buffer.from(first?.body ?? []), {
      'content-encoding': 'gzip',
    })
    expect(again.status).toBe(200)
    expect(await again.json()).toEqual({
      status: 1,
      accepted: 0,
      duplicates: 1,
      rejected: 0,
      ignored: 0,
    })
    expect(await eventsOf('ph_twice')).toEqual({ export: 1 })
    // The same batch for another project (its key in the header, which wins) is new there.
    const other = await post('/batch/', Buffer.from(first?.body ?? []), {
      'content-encoding': 'gzip',
      authorization: `Bearer ${OTHER_WRITE_KEY}`,
    })
    expect(await other.json()).toMatchObject({ accepted: 1, duplicates: 0 })
    expect(await eventsOf('ph_twice')).toEqual({ export: 1 })
  })

  it('refuses a wrong key with 401, and the client does not throw', async () => {
    const errors: unknown[] = []
    const { ph, sent } = client({ key: 'phc_not_a_lastseen_key_0123456789' })
    ph.on('error', (err) => errors.push(err))
    ph.capture({ distinctId: 'ph_nokey', event: 'export' })
    await ph.shutdown()
    expect(sent.map((s) => s.status)).toEqual([401])
    expect(errors).toHaveLength(1)
    expect((await get('/v1/events?userId=ph_nokey')).body.events).toEqual([])
  })

  it('answers flags as "none" and the client neither throws nor loops', async () => {
    const { ph, sent } = client()
    expect(await ph.getFeatureFlag('new-ui', 'ph_ann')).toBeUndefined()
    expect(await ph.isFeatureEnabled('new-ui', 'ph_ann')).toBeUndefined()
    expect(await ph.getAllFlags('ph_ann')).toEqual({})
    await ph.shutdown()
    expect(sent.every((s) => s.status === 200)).toBe(true)
    // One request per question; `$feature_flag_called` is PostHog's own event: not stored.
    expect(sent.filter((s) => s.url.includes('/flags/'))).toHaveLength(3)
    expect(await eventsOf('ph_ann')).toEqual({ search: 2, page: 1 })
  })

  it('answers local evaluation with no flags: polled at its interval, not in a loop', async () => {
    const { ph, sent } = client({ personalApiKey: 'phx_personal' })
    // "Ready" needs at least one flag: the first load answers, with none.
    expect(await ph.waitForLocalEvaluationReady(5000)).toBe(false)
    await new Promise((resolve) => setTimeout(resolve, 1000))
    expect(
      await ph.getFeatureFlag('new-ui', 'ph_ann', { onlyEvaluateLocally: true }),
    ).toBeUndefined()
    await ph.shutdown()
    const polls = sent.filter((s) => s.url.includes('/flags/definitions'))
    expect(polls.every((s) => s.status === 200)).toBe(true)
    // Every 100 ms over about a second; a retry loop would make hundreds.
    expect(polls.length).toBeGreaterThanOrEqual(2)
    expect(polls.length).toBeLessThanOrEqual(20)
  })
})

describe('what posthog-js sends', () => {
  it('reads gzip without a header, as text/plain (posthog-js today) and with ?compression=gzip-js', async () => {
    for (const path of ['/e/?ip=0&ver=1.449.2', '/i/v0/e/?compression=gzip-js']) {
      const res = await post(path, gzipSync(batch([event('ph_js')])), {
        'content-type': 'text/plain',
      })
      expect(res.status).toBe(200)
    }
    expect(await eventsOf('ph_js')).toEqual({ click: 2 })
  })

  it('reads a base64 form (sendBeacon) and a bare array of events carrying the key', async () => {
    const b64 = Buffer.from(batch([event('ph_beacon')])).toString('base64')
    const form = await post('/e/?compression=base64', `data=${encodeURIComponent(b64)}`, {
      'content-type': 'application/x-www-form-urlencoded',
    })
    expect(form.status).toBe(200)
    const array = await post('/capture/', JSON.stringify([event('ph_beacon')]))
    expect(array.status).toBe(200)
    expect(await eventsOf('ph_beacon')).toEqual({ click: 2 })
  })

  it('ignores anonymous visitors and PostHog-internal events, and counts them in /metrics', async () => {
    const res = await post(
      '/e/',
      batch([
        event('ph_anon_device', 'click', { $process_person_profile: false }),
        event('ph_known', '$feature_flag_called'),
        event('ph_known', 'click'),
        { event: 'click', properties: {} },
      ]),
    )
    expect(await res.json()).toEqual({
      status: 1,
      accepted: 1,
      duplicates: 0,
      rejected: 1,
      ignored: 2,
    })
    expect((await get('/v1/users/ph_anon_device')).status).toBe(404)
    expect(await eventsOf('ph_known')).toEqual({ click: 1 })
    const metrics = await (await fetch(`${server.url}/metrics`)).text()
    expect(metrics).toMatch(
      /^lastseen_wire_messages_total\{wire="posthog",outcome="ignored"\} [1-9]/m,
    )
    expect(metrics).toMatch(
      /^lastseen_wire_messages_total\{wire="posthog",outcome="rejected"\} [1-9]/m,
    )
  })

  it('answers the CORS preflight of a browser on another origin', async () => {
    const res = await fetch(`${server.url}/e/`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    })
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
  })

  it('serves a remote configuration without flags, as JSON and as the script posthog-js loads', async () => {
    const json = await fetch(`${server.url}/array/${WRITE_KEY}/config`)
    expect(json.status).toBe(200)
    expect(await json.json()).toMatchObject({ hasFeatureFlags: false, sessionRecording: false })
    const script = await fetch(`${server.url}/array/${WRITE_KEY}/config.js`)
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(await script.text()).toContain(`_POSTHOG_REMOTE_CONFIG`)
    const bad = await fetch(`${server.url}/array/${encodeURIComponent('"];alert(1)//')}/config.js`)
    expect(bad.status).toBe(400)
  })
})

describe('whole-request errors', () => {
  it('answers 401 to a missing or unknown key, in the body or as Bearer', async () => {
    const body = JSON.stringify({ batch: [{ event: 'x', distinct_id: 'u' }] })
    expect((await post('/batch/', body)).status).toBe(401)
    expect((await post('/batch/', body, { authorization: 'Bearer lsw_nope' })).status).toBe(401)
    const ok = await post('/batch/', body, { authorization: `Bearer ${WRITE_KEY}` })
    expect(ok.status).toBe(200)
  })

  it('answers 400 naming the problem to a malformed body', async () => {
    const bad = await post('/batch/', '{"api_key":', {})
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_json')
    const empty = await post('/batch/', JSON.stringify({ api_key: WRITE_KEY, batch: [] }))
    expect(empty.status).toBe(400)
    expect(await empty.json()).toEqual({
      error: { code: 'bad_request', message: 'batch: batch is empty' },
    })
    const notGzip = await post('/e/?compression=gzip-js', batch([event('x')]))
    expect(notGzip.status).toBe(400)
    expect(((await notGzip.json()) as { error: { message: string } }).error.message).toMatch(
      /^body is not valid gzip/,
    )
  })

  it('answers 413 to more events than a batch may hold', async () => {
    const events = Array.from({ length: LIMITS.maxBatchEvents + 1 }, () => event('ph_many'))
    const res = await post('/batch/', batch(events))
    expect(res.status).toBe(413)
    expect(await eventsOf('ph_many')).toEqual({})
  })
})
