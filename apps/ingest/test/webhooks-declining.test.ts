/**
 * The `user.declining` and `account.declining` webhooks on real chDB, delivered over real HTTP
 * to a local receiver: announced on the day a subject enters the declining list, signed, once
 * per episode (also by a second claimer and after a restart), never for a history that shows a
 * subject declining since before today (a backfill does not flood), and in Slack's format.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server.js'
import { type Notification, renderBody } from '../src/webhooks/payload.js'
import { verify } from '../src/webhooks/signature.js'
import { startTestServer, WRITE_KEY } from './helpers.js'
import { activeOn, daysAgoRange as days, dayTime } from './support/activity-seed.js'
import { sendBatch } from './support/insights-seed.js'
import { watchedForAYear, webhookHarness } from './support/webhook-harness.js'
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js'

const SECRET = 'whsec_declining_secret_0123456789'

let server: RunningServer
let receiver: WebhookReceiver
const { monitor, round, stopAll } = webhookHarness(() => ({
  storage: server.storage,
  url: receiver.url,
  secret: SECRET,
}))

const declining = () =>
  receiver
    .delivered()
    .filter((n) => n.type.endsWith('.declining'))
    .map((n) => `${n.type} ${n.data.userId ?? n.data.accountId}`)
    .sort()

beforeAll(async () => {
  receiver = await startWebhookReceiver()
  server = await startTestServer()
  await watchedForAYear(server.storage)
  await sendBatch(server.url, WRITE_KEY, [
    // Declining since before today (yesterday too): listed, not announced.
    ...activeOn('u_was', [...days(14, 69), 3, 10]),
    // Quiet from 14 days ago to yesterday, back today: enters the list today.
    ...activeOn('u_new', [...days(15, 69), 0]),
    // 8 of the 14 days up to yesterday; today's window loses one of them: enters today.
    ...activeOn('u_shift', [...days(14, 69), ...days(1, 7)]),
    // A team whose three seats went quiet 15 days ago; one is back today.
    ...activeOn('t1', [...days(15, 69), 0], 'team'),
    ...activeOn('t2', days(15, 69), 'team'),
    ...activeOn('t3', days(15, 69), 'team'),
    ...activeOn('u_steady', days(0, 69), 'steady'),
  ])
})

afterAll(async () => {
  await stopAll()
  await server?.close()
  await receiver?.close()
})

describe('declining webhooks', () => {
  it('announces users and accounts that began declining today, signed', async () => {
    await round(monitor())
    expect(declining()).toEqual([
      'account.declining team',
      'user.declining t1',
      'user.declining u_new',
      'user.declining u_shift',
    ])
    const u = receiver.delivered().find((n) => n.data.userId === 'u_new')
    expect(u).toMatchObject({
      type: 'user.declining',
      project: 'default',
      episode: 1,
      declining: { windowDays: 14, baselineDays: 56, drop: 0.5 },
      data: {
        userId: 'u_new',
        accountId: null,
        recent: 1,
        expected: 13.75,
        drop: 1 - 1 / 13.75,
        lastSeen: expect.any(String),
      },
    })
    expect(
      receiver.delivered().find((n) => n.data.accountId === 'team' && !n.data.userId),
    ).toMatchObject({ data: { recent: 1, expected: 3 * 13.75 } })
    for (const r of receiver.requests) {
      const headers = {
        timestamp: r.headers['x-lastseen-timestamp'],
        signature: r.headers['x-lastseen-signature'],
      }
      expect(verify(SECRET, headers, r.body)).toBe(true)
    }
  })

  it('sends nothing again: later checks, a second process, a restart', async () => {
    const sent = receiver.requests.length
    await round(monitor(), monitor())
    await round(monitor())
    expect(receiver.requests).toHaveLength(sent)
  })

  it('does not announce what a backfill shows declining since before today', async () => {
    const sent = receiver.requests.length
    await sendBatch(server.url, WRITE_KEY, [
      ...activeOn('u_backfilled', [...days(14, 69), 2, 9]),
      ...activeOn('b1', [...days(14, 69), 4], 'backfilled'),
    ])
    await round(monitor())
    expect(receiver.requests).toHaveLength(sent)
  })

  it('speaks Slack', () => {
    const u = receiver.delivered().find((n) => n.data.userId === 'u_new') as Notification
    expect(JSON.parse(renderBody(u, 'slack'))).toEqual({
      text:
        ':chart_with_downwards_trend: User *u_new* is slipping: active 1 of the last 14 days, ' +
        `13.8 expected from the 56 before (−93%). Last seen ${dayTime(0).slice(0, 10)}. [default]`,
    })
  })

  it('numbers episodes: entering the list again after leaving it is the next one', async () => {
    // Daily for 8 weeks until 30 days ago; once 15 days ago (enters the list that day); daily
    // 9 to 15 days ago (7 of 14: out of the list 9 days ago); 5 of the last 14 days today, against
    // 10.5 expected: in again today, and not yesterday.
    await sendBatch(server.url, WRITE_KEY, activeOn('u_again', [...days(30, 85), ...days(9, 15)]))
    const episodes = () =>
      receiver
        .delivered()
        .filter((n) => n.type === 'user.declining' && n.data.userId === 'u_again')
        .map((n) => `${n.episode} ${n.data.recent}/${n.data.expected}`)
    // A check as of 15 days ago sees the first episode begin.
    await round(monitor({ clock: () => Date.now() - 15 * 86_400_000 }))
    expect(episodes()).toEqual(['1 1/13.75'])
    await round(monitor())
    expect(episodes()).toEqual(['1 1/13.75', '2 5/10.5'])
    await round(monitor())
    expect(episodes()).toHaveLength(2)
  })

  it('still announces a declining user that goes quiet', async () => {
    // Fifteen days on, u_new (last seen today) is quiet; its declining episode must not hide it.
    await round(monitor({ clock: () => Date.now() + 15 * 86_400_000 }))
    const quiet = receiver.delivered().filter((n) => n.type === 'user.inactive')
    expect(quiet.map((n) => n.data.userId)).toContain('u_new')
  })
})
