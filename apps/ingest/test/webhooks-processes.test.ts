/**
 * Two app processes on one ClickHouse (the chDB-backed HTTP test server), each running the
 * inactivity check every 300 ms: every notification (inactive, returned, declining) arrives once, and nothing is sent again
 * after both restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ChildServer, READ_KEY, startCliServer, tempDataDir, WRITE_KEY } from './helpers.js'
import { activeOn, daysAgoRange } from './support/activity-seed.js'
import { type ClickHouseTestServer, startClickHouseServer } from './support/clickhouse-server.js'
import { seen, sendBatch } from './support/insights-seed.js'
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

let clickhouse: ClickHouseTestServer
let receiver: WebhookReceiver
const running = new Set<ChildServer>()

async function app(): Promise<ChildServer> {
  const child = await startCliServer({
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

const summary = () =>
  receiver
    .delivered()
    .map((n) => `${n.type} ${n.data.userId ?? n.data.accountId}`)
    .sort()

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
  it('sends each notification once, also across restarts', async () => {
    const [a, b] = await Promise.all([app(), app()])
    await sendBatch(a!.url, WRITE_KEY, [
      seen('u_1', 0, 'acme'),
      seen('u_2', 20, 'acme'),
      seen('u_3', 16, 'globex'),
      // Daily for 55 days, quiet for 14, back today: begins declining today.
      ...activeOn('u_dec', [...daysAgoRange(15, 69), 0]),
    ])
    await receiver.waitFor(4)
    // Several more rounds of both processes (interval 300 ms, settle 2 s): nothing new.
    await sleep(4000)
    expect(summary()).toEqual([
      'account.inactive globex',
      'user.declining u_dec',
      'user.inactive u_2',
      'user.inactive u_3',
    ])

    await Promise.all([stop(a!), stop(b!)])
    const [c, d] = await Promise.all([app(), app()])
    await sleep(3000)
    expect(receiver.delivered()).toHaveLength(4)

    await sendBatch(d!.url, WRITE_KEY, [seen('u_2', 0, 'acme')])
    await receiver.waitFor(5)
    await sleep(3000)
    expect(summary()).toEqual([
      'account.inactive globex',
      'user.declining u_dec',
      'user.inactive u_2',
      'user.inactive u_3',
      'user.returned u_2',
    ])
    expect(receiver.requests).toHaveLength(5)
    await Promise.all([stop(c!), stop(d!)])
  })
})
