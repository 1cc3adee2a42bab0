/**
 * Traits from the browser build in real Chromium: an `identify()` with traits survives a reload
 * (the user and the unsent event) and is stored once, and a page that identifies on every load
 * does not send the same traits again. This suite sends to the SDK's own test sink (which
 * dedupes by id like the service and can play an outage); the round trip through the real
 * service is `traits-roundtrip.test.ts`.
 */
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { WireEvent } from '../../packages/sdk/src/wire.js'
import { answer, type Sink, startSink } from '../../packages/sdk/test/support/sink.js'
import { chromiumLaunchOptions } from '../../scripts/chromium.mjs'
import {
  callTracker,
  type PageServer,
  pageErrors,
  startPageServer,
  startTracker,
  until,
} from './support/page.js'

let sink: Sink
let pages: PageServer
let browser: Browser
let context: BrowserContext

beforeAll(async () => {
  ;[sink, pages] = await Promise.all([startSink(), startPageServer()])
  browser = await chromium.launch(chromiumLaunchOptions)
}, 90_000)
afterAll(async () => {
  await browser?.close()
  await pages?.close()
  await sink?.close()
}, 30_000)
beforeEach(async () => {
  context = await browser.newContext()
})
afterEach(async () => {
  sink.respond(undefined)
  await context.close()
})

const options = { retry: { limit: 0 }, maxWaitMs: 60_000, debounceMs: 60_000 }

/** Open (or, after a reload, restart) the test page's tracker. */
async function start(page: Page): Promise<void> {
  await startTracker(page, {
    endpoint: sink.url,
    writeKey: 'lsw_traits_browser',
    ...options,
  })
}

/** Every event of `userId` the sink received, resends included. */
const received = (userId: string) => sink.events().filter((e: WireEvent) => e.userId === userId)

describe('traits in Chromium', () => {
  it('keeps an unsent identify across a reload, stores it once, and sends the same traits once', async () => {
    const traits = { email: 'ann@acme.io', name: 'Ann' }
    sink.respond((_, __, res) => answer(res, 503)) // the service is down
    const page = await context.newPage()
    await page.goto(pages.url)
    await start(page)
    await callTracker(page, 'identify', 'u_traits', { accountId: 'acme', traits })
    await callTracker(page, 'group', 'acme', { name: 'Acme Inc', mrr: 490 })
    await callTracker(page, 'flush')
    const [identify] = received('u_traits').filter((e) => e.type === 'identify')
    expect(identify).toMatchObject({ userId: 'u_traits', accountId: 'acme', traits })

    await page.reload() // still down: what the unloading page sends is refused too
    sink.respond(undefined)
    await start(page)
    // The page identifies on every load: the same traits, this hour, are not sent again.
    await callTracker(page, 'identify', 'u_traits', { accountId: 'acme', traits })
    await callTracker(page, 'flush')
    await until(() => sink.stored.has(identify!.id), 'the restored identify event stored')

    const identifies = received('u_traits').filter((e) => e.type === 'identify')
    expect(new Set(identifies.map((e) => e.id))).toEqual(new Set([identify!.id]))
    const groups = received('u_traits').filter((e) => e.type === 'group')
    expect(groups[0]).toMatchObject({ accountId: 'acme', traits: { name: 'Acme Inc', mrr: 490 } })
    expect(new Set(groups.map((e) => e.id)).size).toBe(1)
    expect(groups.every((e) => sink.stored.has(e.id))).toBe(true)

    // A change is sent at once; the identified user carries over to calls without one.
    await callTracker(page, 'identify', 'u_traits', { accountId: 'acme', traits: { plan: 'pro' } })
    await callTracker(page, 'track', 'search', { query: 'q' })
    await callTracker(page, 'flush')
    const last = sink.requests.at(-1)!.body.batch
    expect(last.map((e) => [e.type, e.userId, e.accountId])).toEqual([
      ['identify', 'u_traits', 'acme'],
      ['track', 'u_traits', 'acme'],
    ])
    expect(await pageErrors(page)).toEqual([])
  })
})
