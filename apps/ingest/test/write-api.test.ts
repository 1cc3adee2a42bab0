/**
 * The write endpoints over a real socket, on embedded chDB: browser-style requests (CORS,
 * text/plain, key in the body), gzip, `POST /v1/track`, and every whole-request error.
 */
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server.js'
import { count, READ_KEY, startTestServer, WRITE_KEY } from './helpers.js'
import { batchBody, trackEvent } from './support/events.js'

let server: RunningServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

const event = trackEvent
const batchOf = (events: unknown[]) => batchBody(events)

function post(path: string, body: BodyInit, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${WRITE_KEY}`,
      'content-type': 'application/json',
      ...headers,
    },
    body,
  })
}

async function errorOf(res: Response) {
  const body = (await res.json()) as { error: { code: string; message: string } }
  return { status: res.status, ...body.error }
}

const stored = (userId: string) =>
  count(server, `SELECT count() AS n FROM {db}.events WHERE user_id = '${userId}'`)

describe('browsers', () => {
  it('answers the CORS preflight for any origin', async () => {
    const res = await fetch(`${server.url}/v1/batch`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,content-encoding,authorization',
      },
    })
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('access-control-allow-methods')).toContain('POST')
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
      'content-encoding',
    )
  })

  it('stores a sendBeacon-style body: text/plain, key in the body, no Authorization', async () => {
    const res = await fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'https://app.example.com' },
      body: JSON.stringify({ ...batchOf([event('beacon_1')]), writeKey: WRITE_KEY }),
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] })
    expect(await stored('beacon_1')).toBe(1)
  })

  it('lets a page read error answers (CORS headers on 401)', async () => {
    const res = await fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://app.example.com' },
      body: JSON.stringify({
        ...batchOf([event('beacon_2')]),
        writeKey: 'lsw_not_a_key_0000000000',
      }),
    })
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(await errorOf(res)).toMatchObject({ status: 401, code: 'unauthorized' })
  })
})

describe('gzip', () => {
  it('stores a gzip-encoded batch', async () => {
    const body = gzipSync(JSON.stringify(batchOf([event('gzip_1'), event('gzip_1')])))
    const res = await post('/v1/batch', body, { 'content-encoding': 'gzip' })
    expect(await res.json()).toEqual({ accepted: 2, duplicates: 0, rejected: [] })
    expect(await stored('gzip_1')).toBe(2)
  })

  it('refuses a body that inflates past 1 MB with 413 (zip bomb)', async () => {
    const padding = 'x'.repeat(2 * 1024 * 1024)
    const body = gzipSync(JSON.stringify(batchOf([event('bomb', { properties: { padding } })])))
    expect(body.byteLength).toBeLessThan(10_000)
    const res = await post('/v1/batch', body, { 'content-encoding': 'gzip' })
    expect(await errorOf(res)).toMatchObject({ status: 413, code: 'payload_too_large' })
    expect(await stored('bomb')).toBe(0)
  })

  it('says when a gzip body is corrupt', async () => {
    const res = await post('/v1/batch', 'not gzip at all', { 'content-encoding': 'gzip' })
    expect(await errorOf(res)).toMatchObject({ status: 400, message: /not valid gzip/ })
  })
})

describe('POST /v1/track', () => {
  it('stores one event, with the key in the header or in the body', async () => {
    const one = event('track_1')
    let res = await post('/v1/track', JSON.stringify(one))
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [] })
    res = await fetch(`${server.url}/v1/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...one, writeKey: WRITE_KEY }),
    })
    expect(await res.json()).toEqual({ accepted: 0, duplicates: 1, rejected: [] })
    expect(await stored('track_1')).toBe(1)
  })

  it('answers a bad event with 400 naming the field', async () => {
    const res = await post('/v1/track', JSON.stringify({ ...event('track_2'), id: 'nope' }))
    expect(await errorOf(res)).toMatchObject({ status: 400, code: 'bad_request', message: /id/ })
  })
})

describe('health', () => {
  it('is alive and ready, and answers unknown routes with 404 in the error shape', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' })
    const ready = await fetch(`${server.url}/readyz`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toMatchObject({ status: 'ready' })
    const missing = await fetch(`${server.url}/v1/nope`)
    expect(await errorOf(missing)).toMatchObject({ status: 404, code: 'not_found' })
  })
})

describe('whole-request errors', () => {
  it('400 says where the JSON breaks', async () => {
    const res = await post('/v1/batch', '{"sentAt": "2026-01-01T00:00:00Z",\n "batch": [ x ]}')
    expect(await errorOf(res)).toMatchObject({
      status: 400,
      code: 'invalid_json',
      message: expect.stringContaining('line 2, column 13'),
    })
  })

  it('400 names a bad envelope field', async () => {
    const res = await post('/v1/batch', JSON.stringify({ batch: [event('x')] }))
    expect(await errorOf(res)).toMatchObject({
      status: 400,
      code: 'bad_request',
      message: /sentAt/,
    })
  })

  it('401 for a missing key', async () => {
    const res = await fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(batchOf([event('nokey')])),
    })
    expect(await errorOf(res)).toMatchObject({ status: 401, message: /missing write key/ })
  })

  it('403 for a read key', async () => {
    const res = await post('/v1/batch', JSON.stringify(batchOf([event('readkey')])), {
      authorization: `Bearer ${READ_KEY}`,
    })
    expect(await errorOf(res)).toMatchObject({ status: 403, code: 'forbidden' })
  })

  it('413 names the 1 MB limit', async () => {
    const big = 'x'.repeat(30_000)
    const events = Array.from({ length: 40 }, () => event('big', { properties: { big } }))
    const res = await post('/v1/batch', JSON.stringify(batchOf(events)))
    expect(await errorOf(res)).toMatchObject({
      status: 413,
      code: 'payload_too_large',
      message: expect.stringContaining('1048576 bytes'),
    })
  })

  it('413 names the 1,000-event limit', async () => {
    const events = Array.from({ length: 1001 }, () => event('many'))
    const res = await post('/v1/batch', JSON.stringify(batchOf(events)))
    expect(await errorOf(res)).toMatchObject({
      status: 413,
      message: 'batch has 1001 events; the limit is 1000 events per request',
    })
    expect(await stored('many')).toBe(0)
  })

  it('rejects only the event over 32 KB and stores the rest', async () => {
    const events = [
      event('part'),
      event('part', { properties: { big: 'x'.repeat(33_000) } }),
      event('part'),
      { type: 'track', userId: 'part' },
    ]
    const res = await post('/v1/batch', JSON.stringify(batchOf(events)))
    const answer = (await res.json()) as { accepted: number; rejected: { index: number }[] }
    expect(res.status).toBe(200)
    expect(answer.accepted).toBe(2)
    expect(answer.rejected.map((r) => r.index)).toEqual([1, 3])
    expect(JSON.stringify(answer.rejected[0])).toContain('32768 bytes')
    expect(await stored('part')).toBe(2)
  })

  it('415 for another media type or encoding', async () => {
    let res = await post('/v1/batch', 'a=1', {
      'content-type': 'application/x-www-form-urlencoded',
    })
    expect(await errorOf(res)).toMatchObject({ status: 415, code: 'unsupported_media_type' })
    res = await post('/v1/batch', JSON.stringify(batchOf([event('br')])), {
      'content-encoding': 'br',
    })
    expect(await errorOf(res)).toMatchObject({ status: 415, message: /Content-Encoding br/ })
  })
})
