/**
 * Traits from the SDK to the real service and back out of the read API: `identify()` and
 * `group()` from Node and from Chromium (the published, self-contained `dist/lastseen.min.js`),
 * then the profiles, the search and `/v1/inactive` carry them. Each SDK call is sent and stored once, and identify is not activity.
 */

import { createTracker } from '@lastseen/sdk'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumLaunchOptions } from '../../scripts/chromium.mjs'
import { type Ingest, READ_KEY, startIngest, WRITE_KEY } from './support/ingest.js'
import { type PageServer, pageErrors, startPageServer, startTracker } from './support/page.js'

type Traits = {
  user: { email: string; name: string; plan: 'free' | 'pro' }
  account: { name: string; mrr: number }
}
type Events = { search: { query: string } }

let ingest: Ingest
let pages: PageServer
let browser: Browser

beforeAll(async () => {
  ;[ingest, pages] = await Promise.all([startIngest(), startPageServer()])
  browser = await chromium.launch(chromiumLaunchOptions)
}, 90_000)
afterAll(async () => {
  await browser?.close()
  await pages?.close()
  await ingest?.stop()
}, 30_000)

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
async function read(path: string): Promise<any> {
  const res = await fetch(`${ingest.url}${path}`, {
    headers: { authorization: `Bearer ${READ_KEY}` },
  })
  expect(res.status, path).toBe(200)
  return res.json()
}

describe('traits, end to end', () => {
  it('from Node: identify, scoped identify and group reach every answer about the user and account', async () => {
    const errors: unknown[] = []
    const tracker = createTracker<Events, Traits>({
      endpoint: ingest.url,
      writeKey: WRITE_KEY,
      onError: (e) => errors.push(e),
    })
    const now = Date.now()
    const days = (n: number) => new Date(now - n * 86_400_000).toISOString()
    tracker.track(
      'search',
      { query: 'q' },
      { userId: 'n_ann', accountId: 'n_acme', timestamp: days(30) },
    )
    tracker.identify('n_ann', {
      accountId: 'n_acme',
      traits: { email: 'ann@acme.io', name: 'Ann' },
    })
    tracker.for({ userId: 'n_ann', accountId: 'n_acme' }).identify({ plan: 'pro' })
    tracker.group('n_acme', { name: 'Acme Inc', mrr: 490 })
    // Long quiet, known by traits: identify without a heartbeat (scoped), and its account's.
    for (const [user, account, mrr] of [
      ['n_old', 'n_old_co', 900],
      ['n_small', 'n_small_co', 20],
      ['n_free', 'n_free_co', undefined],
    ] as const) {
      tracker.track(
        'search',
        { query: 'q' },
        { userId: user, accountId: account, timestamp: days(40) },
      )
      tracker.for({ userId: user, accountId: account }).identify({ name: user, plan: 'free' })
      if (mrr !== undefined) tracker.group(account, { name: account, mrr })
    }
    await tracker.flush()
    await tracker.shutdown()
    expect(errors).toEqual([])
    expect(tracker.getStats()).toMatchObject({ rejected: 0, failed: 0, duplicates: 0 })

    const user = await read('/v1/users/n_ann')
    expect(user.traits).toEqual({ email: 'ann@acme.io', name: 'Ann', plan: 'pro' })
    const account = await read('/v1/accounts/n_acme')
    expect(account.traits).toEqual({ name: 'Acme Inc', mrr: 490 })
    expect(account.users).toEqual([
      expect.objectContaining({ userId: 'n_ann', traits: user.traits }),
    ])
    const found = await read('/v1/users?search=ANN@acme')
    expect(found.items.map((i: { userId: string }) => i.userId)).toEqual(['n_ann'])
    expect((await read('/v1/accounts?search=acme inc')).items[0].traits.mrr).toBe(490)
    // Quiet accounts with their traits, the one worth most first; identify is not activity.
    const quiet = await read('/v1/inactive?level=account&after=14d&sort=mrr')
    expect(quiet.items.map((i: { accountId: string }) => i.accountId)).toEqual([
      'n_old_co',
      'n_small_co',
      'n_free_co',
    ])
    expect(quiet.items[0].traits).toEqual({ name: 'n_old_co', mrr: 900 })
    expect((await read('/v1/users/n_old')).lastSeen).toBe(days(40))
  })

  it('from Chromium: identify and group from the published bundle are stored once', async () => {
    const context = await browser.newContext()
    try {
      const page = await context.newPage()
      await page.goto(`${pages.url}standalone`)
      await startTracker(page, {
        endpoint: ingest.url,
        writeKey: WRITE_KEY,
      })
      await page.evaluate(async () => {
        const t = (window as unknown as { tracker: Record<string, (...a: unknown[]) => unknown> })
          .tracker
        t.identify!('b_bea', { accountId: 'b_beta', traits: { email: 'bea@beta.io', name: 'Bea' } })
        t.group!('b_beta', { name: 'Beta LLC', mrr: 99 })
        // A page identifying on every load sends the same traits once.
        t.identify!('b_bea', { accountId: 'b_beta', traits: { email: 'bea@beta.io', name: 'Bea' } })
        await t.flush!()
      })
      expect(await pageErrors(page)).toEqual([])
      const user = await read('/v1/users/b_bea')
      expect(user.traits).toEqual({ email: 'bea@beta.io', name: 'Bea' })
      expect(user.accountId).toBe('b_beta')
      expect((await read('/v1/accounts/b_beta')).traits).toEqual({ name: 'Beta LLC', mrr: 99 })
    } finally {
      await context.close()
    }
  })
})
