/**
 * PostHog's browser SDK, `posthog-js` unmodified and with only its host changed, in real
 * Chromium against the real ingestion service (built CLI, embedded chDB), from a page on
 * another origin: page views, a capture, identify and group land as lastseen events, traits
 * and an account, each counted once; the anonymous page view before `identify` is not a user;
 * every request the SDK makes is answered with a success, and none is repeated in a loop.
 */
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumLaunchOptions } from '../../scripts/chromium.mjs'
import { type Ingest, READ_KEY, startIngest, WRITE_KEY } from './support/ingest.js'
import type { PageServer } from './support/page.js'
import { startPostHogPage } from './support/posthog-page.js'

const DESKTOP_CHROME =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36'

let ingest: Ingest
let pages: PageServer
let browser: Browser

beforeAll(async () => {
  ;[ingest, pages] = await Promise.all([startIngest(), startPostHogPage()])
  // posthog-js drops the events of browsers under automation (its bot filter reads
  // navigator.webdriver): a person's browser does not announce it.
  browser = await chromium.launch({
    ...chromiumLaunchOptions,
    args: [...chromiumLaunchOptions.args, '--disable-blink-features=AutomationControlled'],
  })
}, 90_000)

afterAll(async () => {
  await browser?.close()
  await pages?.close()
  await ingest?.stop()
}, 30_000)

async function read(path: string) {
  const res = await fetch(`${ingest.url}${path}`, {
    headers: { authorization: `Bearer ${READ_KEY}` },
  })
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
  return { status: res.status, body: (await res.json()) as any }
}

async function eventsOf(userId: string): Promise<Record<string, number>> {
  const { body } = await read(`/v1/events?userId=${userId}`)
  return Object.fromEntries(
    (body.events as { event: string; count: number }[]).map((e) => [e.event, e.count]),
  )
}

/** Wait until `check` holds, polling, at most `ms`. */
async function until(check: () => Promise<boolean>, what: string, ms = 30_000) {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not ${what} within ${ms} ms`)
    await new Promise((done) => setTimeout(done, 200))
  }
}

/** What the page asked the service, and how it was answered. */
interface Exchange {
  method: string
  path: string
  status: number
}

/** Run `posthog.<method>(...args)` in the page. */
const call = (page: Page, method: string, ...args: unknown[]) =>
  page.evaluate(
    ([m, a]) =>
      (window as unknown as { posthog: Record<string, (...x: unknown[]) => unknown> }).posthog[
        m as string
      ]?.(...(a as unknown[])),
    [method, args] as const,
  )

describe('posthog-js in Chromium, only its host changed', () => {
  it('stores page views, captures, identify and group once, and every request succeeds', async () => {
    // posthog-js also drops the events of a headless browser by its name: a desktop Chrome's.
    const context = await browser.newContext({ userAgent: DESKTOP_CHROME })
    const page = await context.newPage()
    const exchanges: Exchange[] = []
    const errors: string[] = []
    const gzipped: Buffer[] = []
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text())
    })
    page.on('response', (res) => {
      const url = new URL(res.url())
      if (url.origin !== ingest.url) return
      exchanges.push({ method: res.request().method(), path: url.pathname, status: res.status() })
      const body = res.request().postDataBuffer()
      if (url.pathname === '/e/' && body?.[0] === 0x1f && body[1] === 0x8b) gzipped.push(body)
    })
    page.on('requestfailed', (req) => {
      if (req.url().startsWith(ingest.url)) errors.push(`failed: ${req.url()}`)
    })

    await page.goto(pages.url)
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true)
    // The one setting changed: where to send. The first page view is an anonymous visitor's.
    await call(page, 'init', WRITE_KEY, { api_host: ingest.url })
    const visitor = await call(page, 'get_distinct_id')
    await call(page, 'identify', 'pj_ann', { email: 'ann@acme.io', name: 'Ann' })
    await call(page, 'group', 'company', 'pj_acme', { name: 'Acme', mrr: 490 })
    await call(page, 'capture', 'search', { q: 'boots' })
    await call(page, 'capture', '$pageview')

    await until(async () => {
      const events = await eventsOf('pj_ann')
      return events.search === 1 && events.page === 1
    }, 'the search and the page view stored')
    await until(
      async () => (await read('/v1/accounts/pj_acme')).body.traits?.name === 'Acme',
      'the account traits stored',
    )
    const user = await read('/v1/users/pj_ann')
    expect(user.body.traits).toEqual({ email: 'ann@acme.io', name: 'Ann' })
    expect(user.body.accountId).toBe('pj_acme')
    expect((await read('/v1/accounts/pj_acme')).body.traits).toEqual({ name: 'Acme', mrr: 490 })

    // Unload sends what is left with sendBeacon; then nothing more is pending.
    await page.close({ runBeforeUnload: true })
    await new Promise((done) => setTimeout(done, 1000))
    expect(await eventsOf('pj_ann')).toEqual({ search: 1, page: 1 })
    // The anonymous visitor of the first page view is not a user.
    expect(visitor).toMatch(/^[0-9a-f-]{36}$/)
    expect((await read(`/v1/users/${visitor}`)).status).toBe(404)

    const failed = exchanges.filter((e) => e.status >= 300 && e.method !== 'OPTIONS')
    expect(failed).toEqual([])
    expect(errors).toEqual([])
    const perRoute = new Map<string, number>()
    for (const e of exchanges) {
      const route = `${e.method} ${e.path}`
      perRoute.set(route, (perRoute.get(route) ?? 0) + 1)
    }
    // A handful of each: the configuration once, capture a few times, nothing in a loop.
    for (const [route, n] of perRoute) expect(n, route).toBeLessThanOrEqual(10)
    expect([...perRoute.keys()]).toContain('POST /e/')
    // posthog-js sends gzip as text/plain, with no header or parameter saying so.
    expect(gzipped.length).toBeGreaterThan(0)
    await context.close()
  })
})
