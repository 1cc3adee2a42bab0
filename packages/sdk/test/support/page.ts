/**
 * @module
 * The web app under test: an HTML page that loads the SDK, bundled by esbuild from `src`, with a
 * plain `<script type="module">`, served from its own origin.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import { build } from 'esbuild'

const HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>lastseen test page</title></head>
<body>
<script type="module">
  import { createTracker } from '/sdk.js'
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
  const bundle = await build({
    entryPoints: [resolve(import.meta.dirname, '../../src/browser.ts')],
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
    } else if (req.url === '/' || req.url?.startsWith('/?')) {
      res.writeHead(200, { 'content-type': 'text/html' }).end(HTML)
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
