/**
 * @module
 * Headers of every dashboard answer. The pages are plain HTML with one inline stylesheet and
 * one script served by the service itself (`/dashboard.js`), so the Content-Security-Policy
 * allows that stylesheet (by digest) and scripts from the service's own origin, and nothing
 * else: no inline or injected script, no other styles, no frames around the page (`frame-ancestors`, and
 * `X-Frame-Options` for browsers older than it), forms posting only to the service itself.
 * `Referrer-Policy: same-origin` keeps user and account ids in URLs from leaking to other
 * sites, while same-origin form posts still carry their `Origin` (under `no-referrer` they would
 * send `Origin: null`). Pages show a project's users, so nothing is cached.
 */
import type { MiddlewareHandler } from 'hono'
import { CSS_SOURCE } from './styles.js'

const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src ${CSS_SOURCE}`,
  // The progressive script (dashboard/script.ts) only: the service serves no other script.
  "script-src 'self'",
  // The browser's own request for /favicon.ico.
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ')

export const pageHeaders: MiddlewareHandler = async (c, next) => {
  await next()
  const headers = c.res.headers
  headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY)
  headers.set('X-Frame-Options', 'DENY')
  headers.set('Referrer-Policy', 'same-origin')
  headers.set('Cache-Control', 'no-store')
}
