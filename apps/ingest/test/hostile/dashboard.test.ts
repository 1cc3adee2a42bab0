/**
 * The dashboard against hostile requests, over real sockets: huge sign-in bodies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/server.js'
import { READ_KEY, startTestServer } from '../helpers.js'
import { peakRssGrowth, raw, setCookies } from './http.js'
import { expectAlive } from './support.js'

let server: RunningServer
beforeAll(async () => {
  server = await startTestServer()
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
    expect(growth).toBeLessThan(8 * MB)
    expect(result.sent).toBeLessThan(50 * MB)
    expect(result.ms).toBeLessThan(2_000)
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
    expect(growth).toBeLessThan(8 * MB)
    expect(result.sent).toBeLessThan(50 * MB)
    expect(result.ms).toBeLessThan(2_000)
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
      expect(growth, route.path).toBeLessThan(8 * MB)
    }
    await expectAlive(server.url)
  })
})
