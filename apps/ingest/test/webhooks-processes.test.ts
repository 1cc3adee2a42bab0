/**
 * Two app processes on one ClickHouse (the chDB-backed HTTP test server), each running the
 * inactivity check every 300 ms: every notification (inactive, returned, declining) arrives
 * once, whether in a summary, a scheduled digest or a message of its own, no digest arrives
 * twice, and nothing is sent again after both restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type ChildServer,
  READ_KEY,
  startCliServer,
  tempDataDir,
  WRITE_KEY,
  waitUntil,
} from './helpers.js'
import { activeOn, daysAgoRange } from './support/activity-seed.js'
import { type ClickHouseTestServer, startClickHouseServer } from './support/clickhouse-server.js'
import { seen, sendBatch } from './support/insights-seed.js'
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

let clickhouse: ClickHouseTestServer
let receiver: WebhookReceiver
const running = new Set<ChildServer>()

async function app(env: Record<string, string> = {}): Promise<ChildServer> {
  const child = await startCliServer({
    ...env,
    CLICKHOUSE_URL: clickhouse.url,
    LASTSEEN_WRITE_KEY: WRITE_KEY,
    LASTSEEN_READ_KEY: READ_KEY,
    LASTSEEN_WEBHOOK_URL: receiver.url,
    LASTSEEN_WEBHOOK_SECRET: 'whsec_processes_0123456789',
    LASTSEEN_WEBHOOK_INTERVAL: '300ms',
  })
  running.add(child)
  return child
}

async function stop(child: ChildServer) {
  running.delete(child)
  expect(await child.stop()).toBe(0)
}

type Sent = { type: string; id: string; data: { userId?: string; accountId: string } }
const key = (n: Sent) => `${n.type} ${n.data.userId ?? n.data.accountId}`

/** Every episode sent so far, from messages of their own and from digests, sorted. */
const summary = () =>
  receiver
    .delivered()
    .flatMap((n) => (n.type === 'digest' ? n.top : [n]))
    .map(key)
    .sort()

const digestIds = () =>
  receiver
    .delivered()
    .filter((n) => n.type === 'digest')
    .map((n) => n.id)

beforeAll(async () => {
  clickhouse = await startClickHouseServer({ dataDir: tempDataDir() })
  receiver = await startWebhookReceiver()
})

afterAll(async () => {
  for (const child of running) await child.stop()
  await receiver?.close()
  await clickhouse?.stop()
})

describe('webhooks with two app processes', () => {
  it('sends each notification once, also across restarts and in digests', async () => {
    const [a, b] = await Promise.all([app(), app()])
    // History loaded after both first looked at the project: one summary, not four messages.
    await sendBatch(a!.url, WRITE_KEY, [
      seen('u_1', 0, 'acme'),
      seen('u_2', 20, 'acme'),
      seen('u_3', 16, 'globex'),
      // Daily for 55 days, quiet for 14, back today: begins declining today.
      ...activeOn('u_dec', [...daysAgoRange(15, 69), 0]),
    ])
    await receiver.waitFor(1)
    // Several more rounds of both processes (interval 300 ms, settle 2 s): nothing new.
    await sleep(4000)
    expect(receiver.delivered().every((n) => n.type === 'digest' && n.reason === 'backfill')).toBe(
      true,
    )
    expect(receiver.delivered().length).toBeLessThanOrEqual(2)
    expect(summary()).toEqual([
      'account.inactive globex',
      'user.declining u_dec',
      'user.inactive u_2',
      'user.inactive u_3',
    ])

    // Restarted, with a digest every 3 s.
    await Promise.all([stop(a!), stop(b!)])
    const scheduled = { LASTSEEN_NOTIFY: 'digest', LASTSEEN_DIGEST_AT: '3s' }
    const [c, d] = await Promise.all([app(scheduled), app(scheduled)])
    const sentBefore = receiver.delivered().length
    await sleep(3000)
    expect(receiver.delivered()).toHaveLength(sentBefore)

    // u_2 comes back; u_live goes quiet a second from now: both in a scheduled digest.
    await sendBatch(d!.url, WRITE_KEY, [
      seen('u_2', 0, 'acme'),
      {
        id: crypto.randomUUID(),
        type: 'seen',
        userId: 'u_live',
        timestamp: new Date(Date.now() + 1000 - 14 * 86_400_000).toISOString(),
      },
    ])
    await waitUntil(() => summary().length >= 6, 'both changes in a scheduled digest', {
      timeoutMs: 30_000,
    })
    await sleep(3500)
    const later = receiver.delivered().slice(sentBefore)
    // Usually one digest; two when each process won one of the changes.
    expect(later.length).toBeLessThanOrEqual(2)
    for (const n of later) expect(n).toMatchObject({ type: 'digest', reason: 'scheduled' })
    expect(summary()).toEqual([
      'account.inactive globex',
      'user.declining u_dec',
      'user.inactive u_2',
      'user.inactive u_3',
      'user.inactive u_live',
      'user.returned u_2',
    ])
    await Promise.all([stop(c!), stop(d!)])

    // Restarted again: nothing is sent twice.
    const [e, f] = await Promise.all([app(scheduled), app(scheduled)])
    await sleep(4000)
    expect(summary()).toHaveLength(6)
    expect(new Set(digestIds()).size).toBe(digestIds().length)
    expect(receiver.requests.filter((r) => r.status === 200)).toHaveLength(
      receiver.delivered().length,
    )
    await Promise.all([stop(e!), stop(f!)])
  })
})
