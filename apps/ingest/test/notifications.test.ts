/**
 * Notifications people can live with, on the real service (real chDB, the monitor configured
 * through the environment, a 500 ms check) and a local webhook receiver: a backfill of 300
 * long-quiet users in 30 accounts comes as one summary with the counts, not one message each;
 * a user who goes quiet afterwards still gets a message of their own within a check; more than
 * `LASTSEEN_NOTIFY_MAX` new episodes in one check come as one digest; an import after months
 * of watching is summarised too.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readConfig } from '../src/config.js'
import { importFile } from '../src/ingest/import-file.js'
import type { RunningServer } from '../src/server.js'
import { nextSlot } from '../src/webhooks/digest.js'
import { count, startTestServer, tempDataDir, WRITE_KEY, waitUntil } from './helpers.js'
import { groupEvent, identifyEvent } from './support/events.js'
import { daysAgo, seen, sendBatch } from './support/insights-seed.js'
import { watchedForAYear } from './support/webhook-harness.js'
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js'

const DAY_MS = 86_400_000
const INTERVAL_MS = 500
/** The claim's settle delay (2 s by default) plus a busy machine's slack. */
const SETTLE_AND_SLACK_MS = 2000 + 2500
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Days since user `i` of the backfill was seen: 20 to 62, never 28 or 29 (the edge of "new"). */
const quietDays = (i: number) => {
  const d = 20 + (i % 41)
  return d === 28 || d === 29 ? d + 2 : d
}
const account = (i: number) => `acct_${i % 30}`
/** Quiet for less than twice the 14-day threshold: episodes a check finds (older ones are only listed). */
const recent = (days: number) => days < 28

let server: RunningServer
let receiver: WebhookReceiver

beforeAll(async () => {
  receiver = await startWebhookReceiver()
  server = await startTestServer({
    LASTSEEN_WEBHOOK_URL: receiver.url,
    LASTSEEN_WEBHOOK_INTERVAL: `${INTERVAL_MS}ms`,
    LASTSEEN_NOTIFY_MAX: '5',
    LASTSEEN_PUBLIC_URL: 'https://lastseen.example.com/',
  })
})

afterAll(async () => {
  await server?.close()
  await receiver?.close()
})

describe('notifications after a backfill', () => {
  it('summarises 300 long-quiet users in 30 accounts in one message with the counts', async () => {
    const users = Array.from({ length: 300 }, (_, i) => i)
    await sendBatch(server.url, WRITE_KEY, [
      ...users.map((i) => seen(`u_${i}`, quietDays(i), account(i))),
      ...users.map((i) =>
        identifyEvent(`u_${i}`, { name: `User ${i}`, email: `u${i}@example.com` }),
      ),
      ...Array.from({ length: 30 }, (_, k) =>
        groupEvent(`acct_${k}`, { name: `Account ${k}`, mrr: k * 10 }),
      ),
    ] as never)
    await receiver.waitFor(1, 20_000)
    // A few more checks: nothing else arrives.
    await sleep(4 * INTERVAL_MS + SETTLE_AND_SLACK_MS)
    const sent = receiver.delivered()
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({ type: 'digest', reason: 'backfill' })

    // The first look is stored, so a restart hours later still tells history from news.
    expect(
      await count(
        server,
        "SELECT count() AS n FROM {db}.webhook_claims WHERE role = 'watch' AND project_id = 'default'",
      ),
    ).toBe(1)
    const summary = sent[0]
    expect(summary.totals).toEqual({
      quiet: { users: 300, accounts: 30 },
      slipping: { users: 0, accounts: 0 },
    })
    expect(summary.dashboardUrl).toBe('https://lastseen.example.com/')
    // Every episode a check found is counted once, over the summaries.
    const expectedUsers = users.filter((i) => recent(quietDays(i))).length
    const expectedAccounts = Array.from({ length: 30 }, (_, k) => k).filter((k) =>
      recent(Math.min(...users.filter((i) => i % 30 === k).map(quietDays))),
    ).length
    const sum = (f: (d: { counts: { quiet: { users: number; accounts: number } } }) => number) =>
      sent.reduce((n, d) => n + f(d), 0)
    expect(sum((d) => d.counts.quiet.users)).toBe(expectedUsers)
    expect(sum((d) => d.counts.quiet.accounts)).toBe(expectedAccounts)
    expect(summary.top).toHaveLength(10)
    expect(summary.more).toBe(
      summary.counts.quiet.users + summary.counts.quiet.accounts - summary.top.length,
    )
    // The most valuable first: the top account's mrr is the highest among the episodes.
    const mrr = (n: {
      type: string
      data: { traits: { mrr?: number }; accountTraits?: { mrr?: number } }
    }) => (n.type.startsWith('user.') ? n.data.accountTraits?.mrr : n.data.traits.mrr) ?? -1
    const mrrs = summary.top.map(mrr)
    expect(mrrs).toEqual([...mrrs].sort((a: number, b: number) => b - a))
    expect(summary.top[0].data.traits.name).toBeDefined()
  })

  it('still sends a message of its own for a user who goes quiet afterwards, within a check', async () => {
    const before = receiver.delivered().length
    // Crosses the 14-day threshold two seconds from now.
    const crossesAt = Date.now() + 2000
    await sendBatch(server.url, WRITE_KEY, [
      {
        id: crypto.randomUUID(),
        type: 'seen',
        userId: 'u_live',
        timestamp: new Date(crossesAt - 14 * DAY_MS).toISOString(),
      },
    ])
    await receiver.waitFor(before + 1, 20_000)
    const tookMs = Date.now() - crossesAt
    const [live] = receiver.delivered().slice(before)
    expect(live).toMatchObject({ type: 'user.inactive', data: { userId: 'u_live' } })
    // One check interval, then the claim's settle delay.
    expect(tookMs).toBeLessThan(INTERVAL_MS + SETTLE_AND_SLACK_MS)
    await sleep(2 * INTERVAL_MS)
    expect(receiver.delivered()).toHaveLength(before + 1)
  })

  it('sends one digest when a check finds more than LASTSEEN_NOTIFY_MAX new episodes', async () => {
    const before = receiver.delivered().length
    const crossesAt = Date.now() + 1500
    const ids = Array.from({ length: 7 }, (_, i) => `u_burst_${i}`)
    await sendBatch(
      server.url,
      WRITE_KEY,
      ids.map((userId) => ({
        id: crypto.randomUUID(),
        type: 'seen' as const,
        userId,
        timestamp: new Date(crossesAt - 14 * DAY_MS).toISOString(),
      })),
    )
    await receiver.waitFor(before + 1, 20_000)
    await sleep(2 * INTERVAL_MS + SETTLE_AND_SLACK_MS)
    const after = receiver.delivered().slice(before)
    expect(after).toHaveLength(1)
    expect(after[0]).toMatchObject({
      type: 'digest',
      reason: 'cap',
      counts: { quiet: { users: 7, accounts: 0 } },
      more: 0,
    })
    expect(after[0].top.map((n: { data: { userId: string } }) => n.data.userId).sort()).toEqual(ids)
  })
})

describe('notifications after an import', () => {
  it('summarises what an import reveals, after a year of watching', async () => {
    await watchedForAYear(server.storage, 'imported')
    const file = join(tempDataDir(), 'users.ndjson')
    writeFileSync(
      file,
      Array.from({ length: 8 }, (_, i) =>
        JSON.stringify({ userId: `imp_${i}`, accountId: 'imp_acct', lastSeen: daysAgo(20) }),
      ).join('\n'),
    )
    await importFile(file, {
      storage: server.storage,
      projectId: 'imported',
      maxEventAgeMs: 3650 * DAY_MS,
      log: () => {},
    })
    const imported = () => receiver.delivered().filter((n) => n.project === 'imported')
    await waitUntil(() => imported().length > 0, 'a summary of the import', { timeoutMs: 20_000 })
    await sleep(2 * INTERVAL_MS + SETTLE_AND_SLACK_MS)
    expect(imported()).toHaveLength(1)
    expect(imported()[0]).toMatchObject({
      type: 'digest',
      reason: 'backfill',
      counts: { quiet: { users: 8, accounts: 1 } },
    })
  })
})

describe('notification settings', () => {
  it('reads every setting, with its default, and names a bad one', () => {
    expect(readConfig({}).notify).toEqual({
      intervalMs: 60_000,
      mode: 'instant',
      max: 20,
      digestAt: { dailyAtMinute: 8 * 60 },
    })
    expect(
      readConfig({
        LASTSEEN_NOTIFY: 'digest',
        LASTSEEN_NOTIFY_MAX: '5',
        LASTSEEN_DIGEST_AT: '17:30',
        LASTSEEN_SMTP_URL: 'smtp://mail.example.com:587',
        LASTSEEN_NOTIFY_EMAIL: 'team@example.com, ceo@example.com',
        LASTSEEN_PUBLIC_URL: 'https://lastseen.example.com/',
      }).notify,
    ).toEqual({
      intervalMs: 60_000,
      mode: 'digest',
      max: 5,
      digestAt: { dailyAtMinute: 17 * 60 + 30 },
      email: {
        smtpUrl: 'smtp://mail.example.com:587',
        to: ['team@example.com', 'ceo@example.com'],
        from: 'lastseen <lastseen@localhost>',
      },
      publicUrl: 'https://lastseen.example.com',
    })
    expect(readConfig({ LASTSEEN_DIGEST_AT: 'hourly' }).notify.digestAt).toEqual({
      everyMs: 3_600_000,
    })
    expect(readConfig({ LASTSEEN_DIGEST_AT: '15m' }).notify.digestAt).toEqual({ everyMs: 900_000 })
    expect(() => readConfig({ LASTSEEN_NOTIFY: 'weekly' })).toThrow(
      /LASTSEEN_NOTIFY: 'instant' or 'digest'/,
    )
    expect(() => readConfig({ LASTSEEN_DIGEST_AT: '25:00' })).toThrow(/LASTSEEN_DIGEST_AT/)
    expect(() => readConfig({ LASTSEEN_NOTIFY_MAX: '0' })).toThrow(/LASTSEEN_NOTIFY_MAX/)
    expect(() =>
      readConfig({ LASTSEEN_SMTP_URL: 'smtp://x', LASTSEEN_NOTIFY_EMAIL: 'not-an-address' }),
    ).toThrow(/LASTSEEN_NOTIFY_EMAIL: email addresses separated by commas/)
    expect(() => readConfig({ LASTSEEN_SMTP_URL: 'smtp://mail.example.com' })).toThrow(
      /need both LASTSEEN_SMTP_URL .* and LASTSEEN_NOTIFY_EMAIL/,
    )
    expect(() =>
      readConfig({ LASTSEEN_SMTP_URL: 'http://x', LASTSEEN_NOTIFY_EMAIL: 'a@b.co' }),
    ).toThrow(/LASTSEEN_SMTP_URL: an smtp:\/\/ or smtps:\/\/ URL/)
  })

  it('schedules digests daily at a UTC time, or every interval from midnight', () => {
    const at = Date.parse('2026-11-28T10:20:00.000Z')
    const iso = (ms: number) => new Date(ms).toISOString()
    expect(iso(nextSlot(at, { dailyAtMinute: 8 * 60 }))).toBe('2026-11-29T08:00:00.000Z')
    expect(iso(nextSlot(at, { dailyAtMinute: 17 * 60 + 30 }))).toBe('2026-11-28T17:30:00.000Z')
    expect(iso(nextSlot(at, { everyMs: 3_600_000 }))).toBe('2026-11-28T11:00:00.000Z')
    expect(iso(nextSlot(Date.parse('2026-11-28T11:00:00.000Z'), { everyMs: 3_600_000 }))).toBe(
      '2026-11-28T12:00:00.000Z',
    )
  })
})
