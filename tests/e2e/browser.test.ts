/**
 * The browser build in real Chromium, against the real ingestion service (child process, embedded
 * chDB): batching, persistence across a reload (but never of what the service will not take),
 * delivery when the page is hidden, and one heartbeat for two tabs of the same user. What was
 * stored is counted from the service's answers.
 */
import { randomUUID } from 'node:crypto'
import type { TrackerOptions } from '@lastseen/sdk'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
// Where a tab keeps its unsent events is internal to the SDK; this suite plants some there.
import { namespace } from '../../packages/sdk/src/platform/web-storage.js'
import { chromiumLaunchOptions } from '../../scripts/chromium.mjs'
import { type Ingest, startIngest, WRITE_KEY } from './support/ingest.js'
import {
  callTracker,
  type PageServer,
  pageErrors,
  startPageServer,
  startTracker,
  until,
} from './support/page.js'
import { type Proxy as RecordingProxy, startProxy } from './support/proxy.js'

let ingest: Ingest
let pages: PageServer
let proxy: RecordingProxy
let browser: Browser
let context: BrowserContext

beforeAll(async () => {
  ;[ingest, pages] = await Promise.all([startIngest(), startPageServer()])
  proxy = await startProxy(ingest.url)
  browser = await chromium.launch(chromiumLaunchOptions)
}, 90_000)

afterAll(async () => {
  await browser?.close()
  await proxy?.close()
  await pages?.close()
  await ingest?.stop()
}, 30_000)

beforeEach(async () => {
  proxy.exchanges.length = 0
  proxy.failing = false
  context = await browser.newContext()
})
afterEach(async () => {
  await context.close()
})

type PageOptions = Partial<Omit<TrackerOptions, 'fetch' | 'beforeSend' | 'onError'>>

/** Open the test page and create its tracker. */
async function open(page: Page, options: PageOptions = {}, path = ''): Promise<void> {
  await page.goto(pages.url + path)
  await startTracker(page, {
    endpoint: proxy.url,
    writeKey: WRITE_KEY,
    ...options,
  })
}

/** Unsent events kept in this origin's localStorage. */
const storedEvents = (page: Page) =>
  page.evaluate(() => {
    let n = 0
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i)!
      if (key.includes(':q:')) n += (JSON.parse(localStorage.getItem(key)!) as unknown[]).length
    }
    return n
  })

describe('in Chromium', () => {
  it('batches a burst of calls into one request, stored once', async () => {
    const page = await context.newPage()
    await open(page, { debounceMs: 300 })
    await callTracker(page, 'identify', 'u_batch', { accountId: 'acme' })
    await page.evaluate(() => {
      const t = (window as unknown as { tracker: { track(n: string, p: unknown): void } }).tracker
      for (let i = 0; i < 20; i++) t.track('search', { query: `q${i}` })
    })
    await until(() => proxy.accepted('u_batch') === 21, '21 accepted events')
    expect(proxy.of('u_batch')).toHaveLength(1)
    const [exchange] = proxy.of('u_batch')
    expect(exchange!.status).toBe(200)
    expect(exchange!.contentType).toMatch(/^text\/plain/) // no CORS preflight needed
    expect(exchange!.encoding).toBe('gzip')
    expect(exchange!.body.batch.filter((e) => e.type === 'seen')).toHaveLength(1)
    expect(exchange!.answer).toMatchObject({ accepted: 21, duplicates: 0, rejected: [] })
    await until(async () => (await storedEvents(page)) === 0, 'storage emptied after the ack')
    expect(await pageErrors(page)).toEqual([])
  })

  it('keeps unsent events across a reload and sends them from the next page', async () => {
    const page = await context.newPage()
    const options = { retry: { limit: 0 }, maxWaitMs: 60_000, debounceMs: 60_000 }
    proxy.failing = true
    await open(page, options)
    await callTracker(page, 'identify', 'u_reload')
    for (let i = 0; i < 5; i++) await callTracker(page, 'track', 'search', { query: `q${i}` })
    await callTracker(page, 'flush')
    expect(await storedEvents(page)).toBe(6)
    const ids = proxy
      .of('u_reload')
      .flatMap((e) => e.body.batch.map((x) => x.id))
      .sort()
    expect(ids).toHaveLength(6)

    await page.reload() // still down: what the unloading page sends is refused too
    await until(() => proxy.of('u_reload').length >= 2, "the unloading page's send")
    expect(proxy.accepted('u_reload')).toBe(0)
    proxy.failing = false
    await startTracker(page, {
      endpoint: proxy.url,
      writeKey: WRITE_KEY,
      ...options,
    })
    await callTracker(page, 'flush')
    await until(() => proxy.accepted('u_reload') === 6, 'the 6 restored events accepted')
    // The identified user is remembered too: no identify() on the new page.
    await callTracker(page, 'track', 'search', { query: 'after reload' })
    await callTracker(page, 'flush')
    await until(() => proxy.accepted('u_reload') === 7, 'the new event accepted')
    const last = proxy.of('u_reload').at(-1)!.body.batch
    expect(last.map((e) => [e.type, e.userId])).toEqual([['track', 'u_reload']])
    const delivered = proxy
      .of('u_reload')
      .filter((e) => e.status === 200)
      .slice(0, -1)
      .flatMap((e) => e.body.batch.map((x) => x.id))
      .sort()
    expect(delivered).toEqual(ids)
    expect(await storedEvents(page)).toBe(0)
  })

  it('sends the unsent events of a closed tab from the next tab that opens', async () => {
    const options = { retry: { limit: 0 }, maxWaitMs: 60_000, debounceMs: 60_000 }
    proxy.failing = true
    const closing = await context.newPage()
    await open(closing, options)
    await callTracker(closing, 'identify', 'u_closed')
    for (let i = 0; i < 3; i++) await callTracker(closing, 'track', 'search', { query: `q${i}` })
    await callTracker(closing, 'flush')
    expect(await storedEvents(closing)).toBe(4)
    await closing.close({ runBeforeUnload: true })
    // The closing tab tried once more as it went away (and was refused): what follows can only
    // come from the next tab adopting the stored events.
    await until(() => proxy.of('u_closed').length >= 2, "the closing tab's unload send")
    expect(proxy.accepted('u_closed')).toBe(0)

    proxy.failing = false
    const next = await context.newPage()
    await open(next, { debounceMs: 100 })
    await until(() => proxy.accepted('u_closed') === 4, "the closed tab's 4 events accepted")
    await until(async () => (await storedEvents(next)) === 0, 'storage emptied')
  })

  it('drops a stored event nested too deep instead of resending it, with its batch, on every load', async () => {
    // What an SDK without the depth check left in localStorage: a batch with one event nested
    // 5,000 levels deep (the service cannot store it) and five ordinary ones, from a closed tab.
    const event = (query: string) => ({
      id: randomUUID(),
      type: 'track',
      event: 'search',
      userId: 'u_poison',
      timestamp: new Date().toISOString(),
      properties: { query },
    })
    const poison = { ...event('deep'), properties: {} }
    const deep = `${'{"v":'.repeat(5000)}1${'}'.repeat(5000)}`
    const ordinary = ['a', 'b', 'c', 'd', 'e'].map(event)
    const stored = `[${JSON.stringify(poison).replace('"properties":{}', `"properties":${deep}`)},${ordinary.map((e) => JSON.stringify(e)).join(',')}]`
    const project = { batchUrl: `${proxy.url}/v1/batch`, writeKey: WRITE_KEY }
    const key = `${namespace(project as Parameters<typeof namespace>[0])}:q:closed-tab`

    const page = await context.newPage()
    await page.goto(pages.url)
    await page.evaluate(([k, v]) => localStorage.setItem(k!, v!), [key, stored])
    await startTracker(page, {
      endpoint: proxy.url,
      writeKey: WRITE_KEY,
      debounceMs: 100,
    })
    await until(() => proxy.accepted('u_poison') === 5, 'the 5 ordinary events accepted')
    await until(async () => (await storedEvents(page)) === 0, 'storage emptied')
    const sent = proxy.of('u_poison').flatMap((e) => e.body.batch.map((x) => x.id))
    expect(sent.sort()).toEqual(ordinary.map((e) => e.id).sort())
    expect(await pageErrors(page)).toEqual(['invalid_event'])
    expect(await callTracker(page, 'getStats')).toMatchObject({ rejected: 1, sent: 5, queued: 0 })

    await page.reload() // nothing is left to send again
    await open(page, { debounceMs: 100 })
    await callTracker(page, 'flush')
    expect(proxy.of('u_poison')).toHaveLength(1)
  })

  it('drops a stored batch the service refuses (401) instead of resending it on every load', async () => {
    const options = { writeKey: 'lsw_revoked_key_0123456789', debounceMs: 60_000 }
    proxy.failing = true
    const page = await context.newPage()
    await open(page, options)
    await callTracker(page, 'identify', 'u_refused')
    for (let i = 0; i < 3; i++) await callTracker(page, 'track', 'search', { query: `q${i}` })
    await callTracker(page, 'flush')
    expect(await storedEvents(page)).toBe(4) // the outage keeps them

    proxy.failing = false
    await page.reload()
    await open(page, options)
    await callTracker(page, 'flush')
    await until(async () => (await storedEvents(page)) === 0, 'the refused events dropped')
    const refused = proxy.of('u_refused').filter((e) => e.status === 401)
    expect(refused.length).toBeGreaterThan(0)
    expect(await pageErrors(page)).toContain('http_error')

    const before = proxy.of('u_refused').length
    await page.reload()
    await open(page, options)
    await callTracker(page, 'flush')
    await new Promise((r) => setTimeout(r, 500))
    expect(proxy.of('u_refused')).toHaveLength(before)
  })

  it('delivers the queue when the page is hidden, and never counts it twice', async () => {
    const page = await context.newPage()
    await open(page, { debounceMs: 60_000, maxWaitMs: 60_000 })
    await callTracker(page, 'identify', 'u_hide')
    for (let i = 0; i < 10; i++) await callTracker(page, 'track', 'search', { query: `q${i}` })
    expect(proxy.of('u_hide')).toHaveLength(0)

    await page.goto('about:blank') // visibilitychange → hidden, then pagehide
    await until(() => proxy.accepted('u_hide') === 11, '11 events accepted after the page was left')
    expect(proxy.of('u_hide').every((e) => e.contentType?.startsWith('text/plain'))).toBe(true)

    // Back on the page: anything whose answer the old page could not read is sent again and
    // deduplicated by the service, then the storage is empty.
    await open(page, { debounceMs: 100 })
    await callTracker(page, 'flush')
    await until(async () => (await storedEvents(page)) === 0, 'storage emptied')
    expect(proxy.accepted('u_hide')).toBe(11)
    expect(proxy.duplicates('u_hide')).toBe(
      proxy
        .of('u_hide')
        .slice(1)
        .reduce((n, e) => n + e.body.batch.length, 0),
    )
  })

  it('works from the published standalone build in a plain module script', async () => {
    const page = await context.newPage()
    await open(page, { debounceMs: 100 }, 'standalone')
    await callTracker(page, 'identify', 'u_cdn')
    await callTracker(page, 'track', 'search', { query: 'cdn' })
    await callTracker(page, 'flush')
    await until(() => proxy.accepted('u_cdn') === 2, '2 accepted events')
    expect(proxy.of('u_cdn')[0]!.body.library?.version).toMatch(/^\d+\.\d+\.\d+/)
  })

  it('sends the heartbeat again when the page becomes visible in a later hour', async () => {
    const page = await context.newPage()
    await page.clock.install({ time: new Date('2026-03-02T10:10:00Z') })
    await open(page, { debounceMs: 100 })
    await callTracker(page, 'identify', 'u_visible')
    await callTracker(page, 'flush')
    const becomeVisible = () =>
      page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')))
    await becomeVisible() // same hour: nothing new
    await callTracker(page, 'flush')
    await page.clock.fastForward('01:00:00')
    await becomeVisible() // 11:10: due again
    await callTracker(page, 'flush')
    await until(() => proxy.accepted('u_visible') === 2, '2 accepted heartbeats')
    const seen = proxy.of('u_visible').flatMap((e) => e.body.batch)
    expect(seen.map((e) => [e.type, e.timestamp?.slice(0, 13)])).toEqual([
      ['seen', '2026-03-02T10'],
      ['seen', '2026-03-02T11'],
    ])
    expect(seen[0]!.id).not.toBe(seen[1]!.id)
  })

  it('sends one heartbeat for a user with two tabs open', async () => {
    const first = await context.newPage()
    const second = await context.newPage()
    await open(first, { debounceMs: 100 })
    await callTracker(first, 'identify', 'u_tabs')
    await callTracker(first, 'track', 'search', { query: 'a' })
    await callTracker(first, 'flush')
    await open(second, { debounceMs: 100 })
    await callTracker(second, 'identify', 'u_tabs')
    await callTracker(second, 'track', 'search', { query: 'b' })
    await callTracker(second, 'seen')
    await callTracker(second, 'flush')
    await second.bringToFront() // visible again: a heartbeat is due only once per hour
    await callTracker(second, 'flush')

    await until(() => proxy.accepted('u_tabs') === 3, '3 accepted events')
    const seen = proxy.of('u_tabs').flatMap((e) => e.body.batch.filter((x) => x.type === 'seen'))
    expect(seen).toHaveLength(1)
    expect(seen[0]!.userId).toBe('u_tabs')
  })
})
