/**
 * The dashboard against hostile requests, over real sockets: huge sign-in bodies, forms posted
 * from another site, framing and sniffing, and the sign-in cookie itself (what it holds, and
 * that sign-out and key revocation end it on the server).
 */
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKeys, revokeKey } from '../../src/keys/admin.js'
import type { RunningServer } from '../../src/server.js'
import { READ_KEY, startTestServer, WRITE_KEY, waitUntil } from '../helpers.js'
import { peakRssGrowth, raw, setCookies } from './http.js'
import { expectAlive } from './support.js'

let server: RunningServer
/** A second read key, revoked by one test; made first, since new keys take the cache time to be known. */
let victimKey: string
beforeAll(async () => {
  server = await startTestServer()
  victimKey = (await createKeys(server.storage, 'victim', ['read'], 'revoked in a test'))
    .read as string
})
afterAll(async () => {
  await server?.close()
})

const MB = 1024 * 1024
const form = (key: string) => `key=${encodeURIComponent(key)}`
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const sameOrigin = () => ({ origin: server.url, 'sec-fetch-site': 'same-origin' })

/** Sign in as a browser on the dashboard's own page would; returns the `Cookie` header to send. */
async function signIn(key = READ_KEY): Promise<string> {
  const res = await raw(server.url, {
    path: '/session',
    headers: { ...FORM, ...sameOrigin() },
    body: form(key),
  })
  expect(res.status).toBe(303)
  const [cookie] = setCookies(res)
  expect(cookie).toBeDefined()
  return cookie as string
}

/** The overview when `cookie` is a live session; the sign-in page otherwise. */
async function signedIn(cookie: string): Promise<boolean> {
  const res = await fetch(`${server.url}/`, { headers: { cookie } })
  const html = await res.text()
  return html.includes('data-testid="active-chart"')
}

/** Poll `check` every 200 ms for up to `timeoutMs`; how long it took. */
const until = (check: () => Promise<boolean>, timeoutMs: number) =>
  waitUntil(check, 'true', { timeoutMs, intervalMs: 200 })

describe('a huge sign-in body', () => {
  it('is refused with 413 from its Content-Length, before a byte is buffered', async () => {
    await raw(server.url, { path: '/session', headers: FORM, body: form('warm-up') })
    const { result, growth } = await peakRssGrowth(() =>
      raw(server.url, {
        path: '/session',
        headers: { ...FORM, ...sameOrigin() },
        bodyBytes: 50 * MB,
      }),
    )
    // Buffering the body would grow the process by its 50 MB; what else the process allocates
    // meanwhile (a busy machine's GC runs late) stays well below half of that.
    expect(growth).toBeLessThan(16 * MB)
    expect(result.sent).toBeLessThan(50 * MB)
    expect(result.status).toBe(413)
    expect(JSON.parse(result.body)).toMatchObject({ error: { code: 'payload_too_large' } })
    await expectAlive(server.url)
  })

  it('is refused with 413 when sent chunked, without Content-Length', async () => {
    const { result, growth } = await peakRssGrowth(() =>
      raw(server.url, {
        path: '/session',
        headers: { ...FORM, ...sameOrigin() },
        bodyBytes: 50 * MB,
        contentLength: false,
      }),
    )
    // Buffering the body would grow the process by its 50 MB; what else the process allocates
    // meanwhile (a busy machine's GC runs late) stays well below half of that.
    expect(growth).toBeLessThan(16 * MB)
    expect(result.sent).toBeLessThan(50 * MB)
    expect(result.status).toBe(413)
    await expectAlive(server.url)
  })

  it('is refused on sign-out too', async () => {
    const res = await raw(server.url, {
      path: '/session/end',
      headers: { ...FORM, ...sameOrigin() },
      bodyBytes: 50 * MB,
      contentLength: false,
    })
    expect(res.status).toBe(413)
    await expectAlive(server.url)
  })

  it('is never read by the routes that take no body', async () => {
    const cookie = await signIn()
    const routes = [
      { method: 'GET', path: '/healthz' },
      { method: 'GET', path: '/readyz' },
      { method: 'GET', path: '/metrics' },
      { method: 'GET', path: '/v1/users/u_1', headers: { authorization: `Bearer ${READ_KEY}` } },
      { method: 'GET', path: '/v1/inactive', headers: { authorization: `Bearer ${READ_KEY}` } },
      { method: 'GET', path: '/', headers: { cookie } },
      { method: 'GET', path: '/users/u_1', headers: { cookie } },
      { method: 'POST', path: '/v1/users/u_1', headers: { authorization: `Bearer ${READ_KEY}` } },
      { method: 'POST', path: '/nowhere' },
    ]
    for (const route of routes) {
      // Warmed up first, so what is measured is the body, not the route's first query.
      await raw(server.url, { ...route, body: '' })
      const { result, growth } = await peakRssGrowth(() =>
        raw(server.url, { ...route, bodyBytes: 50 * MB, contentLength: false }),
      )
      expect(result.status, route.path).toBeLessThan(500)
      expect(result.sent, route.path).toBeLessThan(50 * MB)
      // A route that buffered the body would grow by its 50 MB; the heap's own growth under a
      // busy process reaches 10–20 MB, so the bound sits between the two.
      expect(growth, route.path).toBeLessThan(32 * MB)
    }
    await expectAlive(server.url)
  })
})

describe('a form posted from another site', () => {
  const crossSite = (): Record<string, string>[] => [
    { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    { origin: 'https://evil.example' },
    { origin: 'null' },
    { origin: server.url.replace('127.0.0.1', 'localhost') },
    // A sibling subdomain is same-site, not same-origin.
    { origin: server.url, 'sec-fetch-site': 'same-site' },
    { 'sec-fetch-site': 'cross-site' },
  ]

  it("cannot sign a victim into the attacker's project", async () => {
    for (const headers of crossSite()) {
      const res = await raw(server.url, {
        path: '/session',
        headers: { ...FORM, ...headers },
        body: form(READ_KEY),
      })
      expect(res.status, JSON.stringify(headers)).toBe(403)
      expect(res.headers['set-cookie'], JSON.stringify(headers)).toBeUndefined()
      expect(res.body).toMatch(/another site/)
    }
    await expectAlive(server.url)
  })

  it('cannot sign a victim out', async () => {
    const cookie = await signIn()
    for (const headers of crossSite()) {
      const res = await raw(server.url, {
        path: '/session/end',
        headers: { ...FORM, ...headers, cookie },
        body: '',
      })
      expect(res.status, JSON.stringify(headers)).toBe(403)
      expect(res.headers['set-cookie'], JSON.stringify(headers)).toBeUndefined()
    }
    expect(await signedIn(cookie)).toBe(true)
    await expectAlive(server.url)
  })

  it("is told apart from the dashboard's own forms and from clients that are not browsers", async () => {
    // A browser on the dashboard's own page.
    await signIn()
    // An older browser that sends Origin but not Sec-Fetch-Site.
    const older = await raw(server.url, {
      path: '/session',
      headers: { ...FORM, origin: server.url },
      body: form(READ_KEY),
    })
    expect(older.status).toBe(303)
    // A user typing the address: Sec-Fetch-Site none.
    const typed = await raw(server.url, {
      path: '/session',
      headers: { ...FORM, 'sec-fetch-site': 'none' },
      body: form(READ_KEY),
    })
    expect(typed.status).toBe(303)
    // curl and scripts send neither header; a forged form cannot omit both.
    const curl = await raw(server.url, { path: '/session', headers: FORM, body: form(READ_KEY) })
    expect(curl.status).toBe(303)
    await expectAlive(server.url)
  })
})

describe('security headers', () => {
  it('never lets an answer be sniffed as another type', async () => {
    const answers = [
      await fetch(`${server.url}/healthz`),
      await fetch(`${server.url}/metrics`),
      await fetch(`${server.url}/nowhere`),
      await fetch(`${server.url}/v1/batch`, { method: 'POST', body: '{}' }),
      await fetch(`${server.url}/v1/users/u_1`, {
        headers: { authorization: `Bearer ${READ_KEY}` },
      }),
      await fetch(`${server.url}/`),
    ]
    for (const res of answers) expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    await expectAlive(server.url)
  })

  it('keeps every dashboard page out of frames, scripts, other origins and caches', async () => {
    const cookie = await signIn()
    const pages = [
      await fetch(`${server.url}/`),
      await fetch(`${server.url}/`, { headers: { cookie } }),
      await fetch(`${server.url}/users/u_1`, { headers: { cookie } }),
      await fetch(`${server.url}/accounts/nobody`, { headers: { cookie } }),
      await fetch(`${server.url}/session`, {
        method: 'POST',
        headers: { ...FORM, ...sameOrigin() },
        body: form('lsr_wrong'),
      }),
    ]
    for (const res of pages) {
      const csp = res.headers.get('content-security-policy') ?? ''
      expect(csp).toMatch(/(^|; )default-src 'none'(;|$)/)
      expect(csp).toMatch(/(^|; )frame-ancestors 'none'(;|$)/)
      expect(csp).toMatch(/(^|; )form-action 'self'(;|$)/)
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|strict-dynamic|data:|\*/)
      // Scripts from the service itself only: its one file, never inline.
      expect(csp).toMatch(/(^|; )script-src 'self'(;|$)/)
      expect(res.headers.get('referrer-policy')).toBe('same-origin')
      expect(res.headers.get('x-frame-options')).toBe('DENY')
      expect(res.headers.get('cache-control')).toBe('no-store')
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    }
    await expectAlive(server.url)
  })

  it("allows the page's own stylesheet and script, and nothing inline besides", async () => {
    const cookie = await signIn()
    const pages = [
      await fetch(`${server.url}/`),
      await fetch(`${server.url}/`, { headers: { cookie } }),
      await fetch(`${server.url}/accounts/nobody`, { headers: { cookie } }),
    ]
    for (const res of pages) {
      const html = await res.text()
      const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1] ?? '')
      expect(styles).toHaveLength(1)
      const hash = createHash('sha256')
        .update(styles[0] as string)
        .digest('base64')
      expect(res.headers.get('content-security-policy')).toContain(`style-src 'sha256-${hash}'`)
      // A style attribute would be blocked by that policy: the pages use none.
      expect(html).not.toMatch(/\sstyle=/)
      // No inline script, no event-handler attribute: the one script is a file of the service.
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)]
      for (const [, attributes, body] of scripts) {
        expect(attributes).toMatch(/\ssrc="\/dashboard\.js"/)
        expect(body).toBe('')
      }
      expect(html).not.toMatch(/\son[a-z]+=/i)
    }
    const script = await fetch(`${server.url}/dashboard.js`)
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(script.headers.get('x-content-type-options')).toBe('nosniff')
    await expectAlive(server.url)
  })
})

describe('the sign-in cookie', () => {
  it('holds a random session id, never the read key', async () => {
    const first = await signIn()
    const second = await signIn()
    for (const cookie of [first, second]) {
      const value = cookie.split('=')[1] ?? ''
      expect(value).not.toContain(READ_KEY)
      expect(value).not.toContain(encodeURIComponent(READ_KEY))
      expect(value).not.toContain(READ_KEY.slice(4, 16))
      // At least 128 random bits.
      expect(value).toMatch(/^[A-Za-z0-9_-]{22,}$/)
    }
    expect(first).not.toBe(second)
    const stored = await server.storage.client.query({
      query: `SELECT session_hash, key_hash FROM ${server.storage.database}.dashboard_sessions`,
      format: 'JSONEachRow',
    })
    const rows = await stored.json<{ session_hash: string; key_hash: string }>()
    const id = first.split('=')[1] as string
    expect(rows.some((r) => r.session_hash === createHash('sha256').update(id).digest('hex'))).toBe(
      true,
    )
    expect(JSON.stringify(rows)).not.toContain(id)
    await expectAlive(server.url)
  })

  it('stops working after sign-out, even when replayed', async () => {
    const cookie = await signIn()
    expect(await signedIn(cookie)).toBe(true)
    const out = await raw(server.url, {
      path: '/session/end',
      headers: { ...FORM, ...sameOrigin(), cookie },
      body: '',
    })
    expect(out.status).toBe(303)
    // The browser forgets the cookie; one that kept a copy gets the sign-in page.
    expect(await signedIn(cookie)).toBe(false)
    const page = await fetch(`${server.url}/users/u_1`, { headers: { cookie }, redirect: 'manual' })
    expect(page.status).toBe(303)
    await expectAlive(server.url)
  })

  it('stops working once its read key is revoked', async () => {
    // A new key is known to the service within the key cache's lifetime.
    const authorization = `Bearer ${victimKey}`
    await until(
      async () => (await fetch(`${server.url}/v1/active`, { headers: { authorization } })).ok,
      15_000,
    )
    const cookie = await signIn(victimKey)
    expect(await signedIn(cookie)).toBe(true)
    // What `lastseen-ingest keys revoke` runs.
    await revokeKey(server.storage, victimKey)
    // Within the key cache's lifetime (10 s) and the reload that follows.
    expect(await until(async () => !(await signedIn(cookie)), 15_000)).toBeLessThan(12_000)
    await expectAlive(server.url)
  })

  it('is throttled like a key when guessed', async () => {
    const guesses = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        raw(server.url, {
          method: 'GET',
          path: '/',
          headers: { cookie: `lastseen_session=${String(i).padStart(43, 'g')}` },
          from: '127.0.0.6',
        }),
      ),
    )
    const throttled = guesses.filter((r) => r.status === 429)
    expect(throttled.length).toBeGreaterThanOrEqual(30)
    expect(throttled[0]?.headers['retry-after']).toBeDefined()
    // The sign-in page for the rest: a made-up session is no session.
    expect(guesses.filter((r) => r.status === 200).length).toBe(60 - throttled.length)
    await expectAlive(server.url)
  })

  it('costs no write when a made-up one is signed out', async () => {
    const rows = async () => {
      const result = await server.storage.client.query({
        query: `SELECT count() AS n FROM ${server.storage.database}.dashboard_sessions`,
        format: 'JSONEachRow',
      })
      return Number((await result.json<{ n: string | number }>())[0]?.n)
    }
    const before = await rows()
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        raw(server.url, {
          path: '/session/end',
          headers: { cookie: `lastseen_session=${String(i).padStart(43, 'e')}` },
          body: '',
          from: '127.0.0.7',
        }),
      ),
    )
    expect(answers.map((r) => r.status)).toEqual(Array(20).fill(303))
    expect(await rows()).toBe(before)
    await expectAlive(server.url)
  })

  it('is refused when made up', async () => {
    for (const value of ['x', 'A'.repeat(43), WRITE_KEY, READ_KEY]) {
      for (const name of ['lastseen_session', 'lastseen_read_key']) {
        expect(await signedIn(`${name}=${value}`)).toBe(false)
      }
    }
    await expectAlive(server.url)
  })
})
