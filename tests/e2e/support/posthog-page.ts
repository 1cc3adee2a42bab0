/**
 * @module
 * A web app that tracks with PostHog's browser SDK, `posthog-js` as published, bundled by
 * esbuild as a web app's bundler would, on an origin of its own. The page exposes the `posthog`
 * instance; the test initialises it with nothing but the key and the host.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { build } from 'esbuild'
import type { PageServer } from './page.js'

const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>posthog-js test page</title></head>
<body><button id="buy">Buy</button><script src="/posthog.js"></script></body></html>`

export async function startPostHogPage(): Promise<PageServer> {
  const bundle = await build({
    stdin: {
      contents: "import posthog from 'posthog-js'\nwindow.posthog = posthog\nwindow.ready = true\n",
      resolveDir: import.meta.dirname,
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
  })
  const script = bundle.outputFiles[0]!.text
  const server = createServer((req, res) => {
    if (req.url === '/posthog.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(script)
    } else if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(html)
    } else if (req.url === '/favicon.ico') {
      res.writeHead(204).end()
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
