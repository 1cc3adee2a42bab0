/**
 * @module
 * A web app that tracks with PostHog's browser SDK, `posthog-js` as published, bundled by
 * esbuild as a web app's bundler would, on an origin of its own. The page exposes the `posthog`
 * instance; the test initialises it with nothing but the key and the host.
 */
import { bundleForBrowser, type PageServer, servePages } from './page.js'

const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>posthog-js test page</title></head>
<body><button id="buy">Buy</button><script src="/posthog.js"></script></body></html>`

export async function startPostHogPage(): Promise<PageServer> {
  const script = await bundleForBrowser(
    "import posthog from 'posthog-js'\nwindow.posthog = posthog\nwindow.ready = true\n",
    'iife',
  )
  return servePages({
    '/posthog.js': ['text/javascript', script],
    '/': ['text/html', html],
    '/favicon.ico': ['image/x-icon', ''],
  })
}
