/**
 * A page sending through analytics.js (`@segment/analytics-next`, bundled by esbuild as a web
 * app would) in real Chromium, to the real ingestion service: only its host changed (its
 * settings are given, so it fetches nothing from Segment's CDN). Both of its delivery
 * strategies: one request per message (`/v1/t`, `/v1/i`, …) and batches (`/v1/b`).
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { build } from 'esbuild'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumLaunchOptions } from '../../scripts/chromium.mjs'
import { type Ingest, READ_KEY, startIngest, WRITE_KEY } from './support/ingest.js'

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>analytics.js test page</title></head>
<body><script type="module">
  import { AnalyticsBrowser } from '/analytics.js'
  window.start = async (writeKey, apiHost, batching) => {
    const [analytics] = await AnalyticsBrowser.load({
      writeKey,
      cdnSettings: {
        integrations: {
          'Segment.io': {
            apiKey: writeKey,
            apiHost,
            protocol: 'http',
            ...(batching ? { deliveryStrategy: { strategy: 'batching', config: { size: 10, timeout: 200 } } } : {}),
          },
        },
      },
    })
    window.analytics = analytics
  }
  window.ready = true
</script></body></html>`

let ingest: Ingest
let pages: Server
let pagesUrl: string
let browser: Browser

beforeAll(async () => {
  const bundle = await build({
    stdin: {
      contents: "export { AnalyticsBrowser } from '@segment/analytics-next'",
      resolveDir: import.meta.dirname,
    },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
  })
  const script = bundle.outputFiles[0]?.text ?? ''
  pages = createServer((req, res) => {
    if (req.url === '/analytics.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(script)
    } else if (req.url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE)
    else res.writeHead(404).end()
  })
  await new Promise<void>((done) => pages.listen(0, '127.0.0.1', done))
  pagesUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}/`
  ;[ingest, browser] = await Promise.all([startIngest(), chromium.launch(chromiumLaunchOptions)])
}, 120_000)

afterAll(async () => {
  await browser?.close()
  pages?.closeAllConnections()
  await new Promise((done) => pages?.close(done))
  await ingest?.stop()
}, 30_000)

async function read<T>(path: string): Promise<T | undefined> {
  const res = await fetch(`${ingest.url}${path}`, {
    headers: { authorization: `Bearer ${READ_KEY}` },
  })
  return res.status === 200 ? ((await res.json()) as T) : undefined
}

const eventsOf = async (userId: string) =>
  Object.fromEntries(
    (
      (await read<{ events: { event: string; count: number }[] }>(`/v1/events?userId=${userId}`))
        ?.events ?? []
    ).map((e) => [e.event, e.count]),
  )

/** Wait (bounded) until `check` holds. */
async function until(check: () => Promise<boolean>, what: string, ms = 20_000) {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Open the page, load analytics.js pointed at the service, and make the usual calls. */
async function sendFrom(page: Page, user: string, account: string, batching: boolean) {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  await page.goto(pagesUrl)
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true)
  const apiHost = `${new URL(ingest.url).host}/v1`
  await page.evaluate(
    ([key, host, b]) =>
      (window as unknown as { start(k: unknown, h: unknown, b: unknown): Promise<void> }).start(
        key,
        host,
        b,
      ),
    [WRITE_KEY, apiHost, batching] as const,
  )
  await page.evaluate(
    async ([u, a]) => {
      type Analytics = Record<string, (...args: unknown[]) => Promise<unknown>>
      const analytics = (window as unknown as { analytics: Analytics }).analytics
      await analytics.track?.('landing_viewed') // anonymous: not a user yet
      await analytics.identify?.(u, { email: `${u}@example.com`, name: 'Web User' })
      await analytics.group?.(a, { name: 'Web Co', mrr: 120 })
      await analytics.track?.('report_exported', { format: 'pdf' }, { context: { groupId: a } })
      await analytics.page?.('Docs', 'Pricing', { path: '/pricing' })
    },
    [user, account] as const,
  )
  return errors
}

async function expectStored(user: string, account: string) {
  await until(
    async () => JSON.stringify(await eventsOf(user)) !== '{}',
    `the events of ${user} stored`,
  )
  await until(
    async () => (await eventsOf(user)).page === 1 && (await eventsOf(user)).report_exported === 1,
    `both events of ${user}`,
  )
  expect(await eventsOf(user)).toEqual({ report_exported: 1, page: 1 })
  const profile = await read<{ traits: unknown }>(`/v1/users/${user}`)
  expect(profile?.traits).toEqual({ email: `${user}@example.com`, name: 'Web User' })
  const company = await read<{ traits: unknown; users: { userId: string }[] }>(
    `/v1/accounts/${account}`,
  )
  expect(company?.traits).toEqual({ mrr: 120, name: 'Web Co' })
  expect(company?.users.map((u) => u.userId)).toEqual([user])
}

describe('analytics.js in Chromium', () => {
  it('sends each message on its own path, each stored once', async () => {
    const page = await browser.newPage()
    expect(await sendFrom(page, 'web_ann', 'web_acme', false)).toEqual([])
    await expectStored('web_ann', 'web_acme')
    await page.close()
  })

  it('sends batches to /v1/b, each message stored once', async () => {
    const page = await browser.newPage()
    expect(await sendFrom(page, 'web_bo', 'web_initech', true)).toEqual([])
    await expectStored('web_bo', 'web_initech')
    await page.close()
  })
})
