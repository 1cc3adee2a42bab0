/**
 * Inactivity webhooks on real chDB, delivered over real HTTP to a local receiver: signed, one
 * per episode (also with a second claimer on the same store), returns announced, failed
 * deliveries retried, abandoned claims taken over, Slack format.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readConfig } from '../src/config.js'
import type { RunningServer } from '../src/server.js'
import { verify } from '../src/webhooks/signature.js'
import { startTestServer, WRITE_KEY } from './helpers.js'
import { groupEvent, identifyEvent } from './support/events.js'
import { daysAgo, seen, sendBatch } from './support/insights-seed.js'
import { SETTLE_MS, watchedForAYear, webhookHarness } from './support/webhook-harness.js'
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js'

const SECRET = 'whsec_test_secret_0123456789'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

let server: RunningServer
let receiver: WebhookReceiver
const { monitor, round, stopAll } = webhookHarness(() => ({
  storage: server.storage,
  url: receiver.url,
  secret: SECRET,
}))

beforeAll(async () => {
  receiver = await startWebhookReceiver()
  server = await startTestServer()
  await watchedForAYear(server.storage)
  await sendBatch(server.url, WRITE_KEY, [
    seen('u_1', 0, 'acme'),
    seen('u_2', 20, 'acme'),
    seen('u_3', 16, 'globex'),
    // Quiet for 100 days: long gone before the threshold window; listed, never announced.
    seen('u_old', 100, 'initech'),
  ])
})

afterAll(async () => {
  await stopAll()
  await server?.close()
  await receiver?.close()
})

describe('inactivity webhooks', () => {
  it('announces users and accounts that went quiet, signed, once per episode', async () => {
    const a = monitor()
    expect(await round(a)).toEqual({ claimed: 3, delivering: 3 })
    const sent = receiver.delivered()
    expect(sent.map((n) => `${n.type} ${n.data.userId ?? n.data.accountId}`).sort()).toEqual([
      'account.inactive globex',
      'user.inactive u_2',
      'user.inactive u_3',
    ])
    const u2 = sent.find((n) => n.data.userId === 'u_2')
    expect(u2).toMatchObject({
      project: 'default',
      episode: 1,
      inactiveAfterMs: 14 * 86_400_000,
      data: {
        userId: 'u_2',
        accountId: 'acme',
        lastSeen: daysAgo(20),
        priorActivity: { activeDays: 1, events: 0 },
      },
    })
    for (const r of receiver.requests) {
      expect(
        verify(
          SECRET,
          {
            timestamp: r.headers['x-lastseen-timestamp'],
            signature: r.headers['x-lastseen-signature'],
          },
          r.body,
        ),
      ).toBe(true)
      expect(r.headers['x-lastseen-id']).toBe(JSON.parse(r.body).id)
    }

    // Later checks, by this process or another one on the same store, send nothing again.
    const b = monitor()
    expect(await round(a, b)).toEqual({ claimed: 0, delivering: 0 })
    expect(receiver.requests).toHaveLength(3)
  })

  it('announces users and accounts that came back, once', async () => {
    const back2 = seen('u_2', 0, 'acme')
    await sendBatch(server.url, WRITE_KEY, [back2, seen('u_3', 0, 'globex')])
    const a = monitor()
    expect(await round(a)).toEqual({ claimed: 3, delivering: 3 })
    const back = receiver.delivered().slice(3)
    expect(back.map((n) => `${n.type} ${n.data.userId ?? n.data.accountId}`).sort()).toEqual([
      'account.returned globex',
      'user.returned u_2',
      'user.returned u_3',
    ])
    expect(back.find((n) => n.data.userId === 'u_2')).toMatchObject({
      episode: 1,
      data: { inactiveSince: daysAgo(20), lastSeen: back2.timestamp },
    })
    expect(await round(a)).toEqual({ claimed: 0, delivering: 0 })
    expect(receiver.requests).toHaveLength(6)
  })

  it('retries a failed delivery with backoff, and records it once delivered', async () => {
    await sendBatch(server.url, WRITE_KEY, [seen('u_5', 15)])
    receiver.failNext(2)
    const a = monitor()
    expect(await round(a)).toEqual({ claimed: 1, delivering: 1 })
    const attempts = receiver.requests.slice(6)
    expect(attempts.map((r) => r.status)).toEqual([500, 500, 200])
    expect(new Set(attempts.map((r) => r.headers['x-lastseen-id'])).size).toBe(1)
    expect(new Set(attempts.map((r) => r.body)).size).toBe(1)
    expect(JSON.parse(attempts[2]!.body)).toMatchObject({
      type: 'user.inactive',
      data: { userId: 'u_5' },
    })
    expect(await round(a)).toEqual({ claimed: 0, delivering: 0 })
    expect(receiver.requests).toHaveLength(9)
  })

  it('lets exactly one of two racing claimers send', async () => {
    await sendBatch(server.url, WRITE_KEY, [seen('u_6', 17)])
    const a = monitor()
    const b = monitor()
    const result = await round(a, b)
    expect(result.claimed).toBeGreaterThanOrEqual(1)
    expect(result.delivering).toBe(1)
    expect(receiver.delivered().filter((n) => n.data.userId === 'u_6')).toHaveLength(1)
    expect(await round(a, b)).toEqual({ claimed: 0, delivering: 0 })
    expect(receiver.requests).toHaveLength(10)
  })

  it('takes over a claim whose owner stopped before delivering, after the lease', async () => {
    await sendBatch(server.url, WRITE_KEY, [seen('u_7', 18)])
    const gone = monitor()
    expect(await gone.check()).toEqual({ claimed: 1, delivering: 0 })
    await gone.stop()
    // The lease is longer than a round (two checks and the settle delay) takes on a busy machine.
    const b = monitor({ leaseMs: 2000 })
    expect(await round(b)).toEqual({ claimed: 0, delivering: 0 })
    await sleep(2000)
    expect(await round(b)).toEqual({ claimed: 1, delivering: 1 })
    expect(receiver.delivered().filter((n) => n.data.userId === 'u_7')).toHaveLength(1)
    expect(receiver.requests).toHaveLength(11)
  })

  it('opens a new episode when a returned user goes quiet again', async () => {
    // Fifteen days from now, everyone seen today has gone quiet again.
    const later = monitor({ clock: () => Date.now() + 15 * 86_400_000 })
    const before = receiver.requests.length
    await round(later)
    const again = receiver.delivered().slice(before - receiver.requests.length)
    const key = (n: {
      type: string
      episode: number
      data: { userId?: string; accountId: string }
    }) => `${n.type} ${n.data.userId ?? n.data.accountId} #${n.episode}`
    expect(again.map(key).sort()).toEqual([
      'account.inactive acme #1',
      'account.inactive globex #2',
      'user.inactive u_1 #1',
      'user.inactive u_2 #2',
      'user.inactive u_3 #2',
    ])
    expect(await round(later)).toEqual({ claimed: 0, delivering: 0 })
  })

  it('keeps trying in later checks while the receiver stays down', async () => {
    await sendBatch(server.url, WRITE_KEY, [seen('u_10', 21)])
    const before = receiver.requests.length
    receiver.failNext(5)
    const a = monitor()
    // First round: all 4 attempts fail; the claim stays pending.
    expect(await round(a)).toEqual({ claimed: 1, delivering: 1 })
    expect(receiver.requests.slice(before).map((r) => r.status)).toEqual([500, 500, 500, 500])
    // Next check: this process still owns the claim and tries again.
    expect(await a.check()).toEqual({ claimed: 0, delivering: 1 })
    await a.idle()
    expect(receiver.requests.slice(before).map((r) => r.status)).toEqual([
      500, 500, 500, 500, 500, 200,
    ])
    expect(await round(a)).toEqual({ claimed: 0, delivering: 0 })
    expect(receiver.delivered().filter((n) => n.data.userId === 'u_10')).toHaveLength(1)
  })

  it('claims a notification again when its only claimer withdrew', async () => {
    await sendBatch(server.url, WRITE_KEY, [seen('u_11', 22)])
    // With a 1 ms settle delay every insert is "too slow": this claimer withdraws.
    const hasty = monitor({ settleMs: 1 })
    expect(await hasty.check()).toEqual({ claimed: 0, delivering: 0 })
    await sleep(SETTLE_MS + 50)
    const b = monitor()
    expect(await round(b)).toEqual({ claimed: 1, delivering: 1 })
    expect(receiver.delivered().filter((n) => n.data.userId === 'u_11')).toHaveLength(1)
    expect(await round(b, hasty)).toEqual({ claimed: 0, delivering: 0 })
  })

  it('sends at most four notifications at a time', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `burst_${i}`)
    await sendBatch(
      server.url,
      WRITE_KEY,
      ids.map((id) => seen(id, 23)),
    )
    receiver.hold(100)
    const a = monitor()
    expect(await round(a)).toEqual({ claimed: 10, delivering: 10 })
    receiver.hold(0)
    expect(receiver.delivered().filter((n) => ids.includes(n.data.userId))).toHaveLength(10)
    expect(receiver.maxConcurrent()).toBe(4)
  })

  it('speaks Slack incoming-webhook payloads when asked', async () => {
    await sendBatch(server.url, WRITE_KEY, [seen('u_8', 19, 'acme')])
    expect(await round(monitor({ format: 'slack' }))).toEqual({ claimed: 1, delivering: 1 })
    const last = receiver.requests.at(-1)!
    expect(JSON.parse(last.body)).toEqual({
      text: `:zzz: User *u_8* (account acme) went quiet: last seen ${daysAgo(19).slice(0, 10)}, 19 days ago. Active 1 of the 30 days before, 0 events. [default]`,
    })
  })

  it('names people and accounts by their traits, in JSON and in Slack, escaped', async () => {
    // The monitors of earlier tests check on their own every minute: on a slow machine one of
    // them would claim these notifications first.
    await stopAll()
    await sendBatch(server.url, WRITE_KEY, [
      seen('u_20', 18, 'umbrella'),
      seen('u_21', 18, 'umbrella'),
      seen('u_22', 18),
      seen('u_23', 45, 'wayne'),
      seen('u_23', 17, 'wayne'),
      identifyEvent('u_20', { name: 'Ann', email: 'ann@acme.io', plan: 'pro' }),
      // Traits come from anyone holding the public write key.
      identifyEvent('u_21', {
        name: '<!channel> *Mallory*',
        email: '<mailto:evil@x.io|ann@acme.io>',
      }),
      identifyEvent('u_22', { email: 'solo@acme.io' }),
      groupEvent('umbrella', { name: 'Umbrella & Co', mrr: 1490.5 }),
      groupEvent('wayne', { name: 'Wayne <Enterprises>', mrr: 'a lot' }),
    ])
    const from = receiver.requests.length
    expect(await round(monitor({ format: 'slack' }))).toEqual({ claimed: 6, delivering: 6 })
    const texts = receiver.requests
      .slice(from)
      .map((r) => JSON.parse(r.body).text as string)
      .map((t) => t.slice(0, t.indexOf(' went quiet')))
      .sort()
    expect(texts).toEqual([
      ':zzz: Account *Umbrella &amp; Co* ($1,490.5/mo)',
      ':zzz: Account *Wayne &lt;Enterprises&gt;*',
      ':zzz: User &lt;solo@acme.io&gt;',
      ':zzz: User *&lt;!channel&gt; *Mallory** &lt;&lt;mailto:evil@x.io|ann@acme.io&gt;&gt; at *Umbrella &amp; Co* ($1,490.5/mo)',
      ':zzz: User *Ann* &lt;ann@acme.io&gt; at *Umbrella &amp; Co* ($1,490.5/mo)',
      ':zzz: User *u_23* at *Wayne &lt;Enterprises&gt;*',
    ])
    for (const text of texts) expect(text).not.toMatch(/[<>]/)

    // The same, as lastseen JSON: the traits as they are, and the account's for a user.
    await sendBatch(server.url, WRITE_KEY, [
      seen('u_24', 18, 'stark'),
      identifyEvent('u_24', { name: 'Zed' }),
      groupEvent('stark', { name: 'Stark', mrr: 20 }),
    ])
    expect(await round(monitor())).toEqual({ claimed: 2, delivering: 2 })
    const byType = Object.fromEntries(
      receiver
        .delivered()
        .filter((n) => ['u_24', 'stark'].includes(n.data?.userId ?? n.data?.accountId))
        .map((n) => [n.type, n.data]),
    )
    expect(byType['user.inactive']).toMatchObject({
      userId: 'u_24',
      traits: { name: 'Zed' },
      accountTraits: { mrr: 20, name: 'Stark' },
    })
    expect(byType['account.inactive']).toMatchObject({
      accountId: 'stark',
      traits: { mrr: 20, name: 'Stark' },
    })
    expect(byType['account.inactive']).not.toHaveProperty('accountTraits')
  })
})

describe('webhook configuration', () => {
  it('reads the interval and format from the environment, and names a bad one', () => {
    const config = readConfig({
      LASTSEEN_WEBHOOK_URL: 'https://hooks.example.com/lastseen',
      LASTSEEN_WEBHOOK_SECRET: SECRET,
      LASTSEEN_WEBHOOK_INTERVAL: '30s',
      LASTSEEN_WEBHOOK_FORMAT: 'slack',
    })
    expect(config.webhook).toEqual({
      url: 'https://hooks.example.com/lastseen',
      secret: SECRET,
      intervalMs: 30_000,
      format: 'slack',
    })
    expect(readConfig({ LASTSEEN_WEBHOOK_URL: 'http://127.0.0.1:9/h' }).webhook).toMatchObject({
      intervalMs: 60_000,
      format: 'lastseen',
    })
    expect(() => readConfig({ LASTSEEN_WEBHOOK_FORMAT: 'teams' })).toThrow(
      /LASTSEEN_WEBHOOK_FORMAT: 'lastseen' or 'slack'/,
    )
    expect(() => readConfig({ LASTSEEN_WEBHOOK_INTERVAL: 'often' })).toThrow(
      /LASTSEEN_WEBHOOK_INTERVAL/,
    )
  })
})
