/**
 * @module
 * The web app under test: an HTML page that loads the SDK with a plain `<script type="module">`,
 * served from its own origin: bundled by esbuild from the SDK's source (`/`), or the published
 * self-contained `dist/lastseen.min.js` (`/standalone`).
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { build } from 'esbuild'
import type { Page } from 'playwright-core'

const html = (sdk: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>lastseen test page</title></head>
<body>
<script type="module">
  import { createTracker } from '${sdk}'
  window.errors = []
  window.start = (options) => {
    window.tracker = createTracker({ ...options, onError: (e) => window.errors.push(e.code) })
  }
  window.ready = true
</script>
</body></html>`

export interface PageServer {
  url: string
  close(): Promise<void>
}

export async function startPageServer(): Promise<PageServer> {
  let standalone: string
  try {
    standalone = createRequire(import.meta.url).resolve('@lastseen/sdk/lastseen.min.js')
  } catch {
    throw new Error('@lastseen/sdk/lastseen.min.js is missing: build the SDK first')
  }
  // The SDK's browser entry from source, as a web app's bundler would pick it.
  const bundle = await build({
    stdin: { contents: "export * from '@lastseen/sdk'", resolveDir: import.meta.dirname },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
  })
  const sdk = bundle.outputFiles[0]!.text
  const server = createServer((req, res) => {
    if (req.url === '/sdk.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(sdk)
    } else if (req.url === '/lastseen.min.js') {
      // The published self-contained build, as a CDN would serve it.
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(standalone))
    } else if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(html('/sdk.js'))
    } else if (req.url === '/standalone') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(html('/lastseen.min.js'))
    } else res.writeHead(404).end()
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections()
        server.close(() => done())
      }),
  }
}

/** What the test page's window holds (see the page's script above). */
interface TestWindow {
  ready?: boolean
  errors: string[]
  start(options: unknown): void
  tracker: Record<string, (...args: unknown[]) => unknown>
}

/** Create the tracker of a loaded (or reloaded) test page with `options`. */
export async function startTracker(page: Page, options: Record<string, unknown>): Promise<void> {
  await page.waitForFunction(() => (window as unknown as TestWindow).ready === true)
  await page.evaluate((o) => (window as unknown as TestWindow).start(o), options)
}

/** Run `tracker.<method>(...args)` in the page. */
export const callTracker = (page: Page, method: string, ...args: unknown[]) =>
  page.evaluate(
    ([m, a]) => (window as unknown as TestWindow).tracker[m as string]!(...(a as unknown[])),
    [method, args] as const,
  )

/** The error codes the page's tracker reported through `onError`. */
export const pageErrors = (page: Page) =>
  page.evaluate(() => (window as unknown as TestWindow).errors)

/** Wait until `check` holds, polling every 50 ms; past `ms`, fail naming `what`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 15_000,
): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
