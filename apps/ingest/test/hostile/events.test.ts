/**
 * Hostile events: properties nested past any sane depth, bodies nested deeper than a parser's
 * stack, ids that are not well-formed UTF-16, and bodies past the size limit, declared or chunked. The bad event is named in `rejected`, the
 * others of its batch are stored, and the service keeps answering.
 */

import { LIMITS } from '@lastseen/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/server.js'
import { count, startTestServer, WRITE_KEY } from '../helpers.js'
import { batchBody, trackEvent } from '../support/events.js'
import { raw } from './http.js'
import { expectAlive } from './support.js'

let server: RunningServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

const track = trackEvent

/** `{ a: { a: … { a: 1 } } }`, `levels` objects deep (the outermost is level 1). */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { a: 1 }
  for (let i = 1; i < levels; i++) value = { a: value }
  return value
}

async function send(batch: unknown[]) {
  const res = await fetch(`${server.url}/v1/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${WRITE_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ sentAt: new Date().toISOString(), batch }),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

const stored = (userId: string) =>
  count(server, `SELECT count() AS n FROM {db}.events WHERE user_id = '${userId}'`)

describe('nesting depth', () => {
  it('rejects only the deeply nested event; the rest of its batch is stored', async () => {
    // About 4,100 levels made JSON.stringify throw on the server; any depth past the limit is
    // one rejected event.
    const batch = ['depth_ok', 'depth_ok', 'depth_bad', 'depth_ok', 'depth_ok', 'depth_ok'].map(
      (userId) => track(userId),
    )
    // JSON.stringify cannot write the poisoned event either: its properties are spliced in.
    const deep = `${'{"a":'.repeat(4999)}1${'}'.repeat(4999)}`
    const events = JSON.stringify(batch).replace(
      '"userId":"depth_bad"',
      `"userId":"depth_bad","properties":${deep}`,
    )
    const body = `{"sentAt":"${new Date().toISOString()}","batch":${events}}`
    const res = await fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WRITE_KEY}`, 'content-type': 'application/json' },
      body,
    })
    const answer = (await res.json()) as {
      accepted: number
      rejected: { index: number; reason: string }[]
    }
    expect(res.status).toBe(200)
    expect(answer.accepted).toBe(5)
    expect(answer.rejected).toHaveLength(1)
    expect(answer.rejected[0]?.index).toBe(2)
    expect(answer.rejected[0]?.reason).toContain(`${LIMITS.maxPropertiesDepth} levels`)
    expect(await stored('depth_ok')).toBe(5)
    expect(await stored('depth_bad')).toBe(0)
    await expectAlive(server.url)
  })

  it('stores properties exactly at the limit and rejects one level more, arrays included', async () => {
    const max = LIMITS.maxPropertiesDepth
    let array: unknown = 1
    for (let i = 1; i < max; i++) array = [array]
    const res = await send([
      track('depth_edge', { properties: nested(max) }),
      track('depth_edge', { properties: { list: array } }),
      track('depth_over', { properties: nested(max + 1) }),
      track('depth_over', { properties: { list: [array] } }),
    ])
    expect(res.status).toBe(200)
    expect(res.body.accepted).toBe(2)
    expect((res.body.rejected as { index: number }[]).map((r) => r.index)).toEqual([2, 3])
    await expectAlive(server.url)
  })

  it('answers a body nested deeper than a parser stack with a 400, not a 500', async () => {
    const levels = 400_000
    const body = `{"sentAt":"${new Date().toISOString()}","batch":${'['.repeat(levels)}${']'.repeat(levels)}}`
    expect(body.length).toBeLessThan(LIMITS.maxRequestBytes)
    const res = await fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WRITE_KEY}`, 'content-type': 'application/json' },
      body,
    })
    expect([200, 400]).toContain(res.status)
    await expectAlive(server.url)
  })
})

describe('ids that are not well-formed UTF-16', () => {
  it('rejects lone surrogates instead of merging them into one user', async () => {
    const res = await send([
      track('\ud800'),
      track('\udfff'),
      track('fine', { accountId: 'acct\udc00' }),
      track('fine', { event: 'bad\ud801' }),
      track('ok_\ud83d\ude00'),
    ])
    expect(res.status).toBe(200)
    expect(res.body.accepted).toBe(1)
    const rejected = res.body.rejected as { index: number; reason: string }[]
    expect(rejected.map((r) => r.index)).toEqual([0, 1, 2, 3])
    expect(rejected[0]?.reason).toMatch(/^userId: .*UTF-16/)
    expect(rejected[2]?.reason).toMatch(/^accountId: .*UTF-16/)
    expect(rejected[3]?.reason).toMatch(/^event: .*UTF-16/)
    expect(
      await count(server, "SELECT count() AS n FROM {db}.events WHERE user_id = '\uFFFD'"),
    ).toBe(0)
    await expectAlive(server.url)
  })
})

describe('bodies past the size limit', () => {
  const MB = 1024 ** 2
  const headers = { authorization: `Bearer ${WRITE_KEY}`, 'content-type': 'application/json' }

  it('refuses a declared length past the limit with 413 before reading it', async () => {
    const res = await raw(server.url, { path: '/v1/batch', headers, bodyBytes: 50 * MB })
    expect(res.status).toBe(413)
    expect(res.sent).toBeLessThan(50 * MB)
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'payload_too_large' } })
    await expectAlive(server.url)
  })

  it('refuses a chunked body with 413 once it passes the limit, and reads one within it', async () => {
    const res = await raw(server.url, {
      path: '/v1/batch',
      headers,
      bodyBytes: 50 * MB,
      contentLength: false,
    })
    expect(res.status).toBe(413)
    expect(res.sent).toBeLessThan(50 * MB)
    const within = await raw(server.url, {
      path: '/v1/batch',
      headers,
      body: JSON.stringify(batchBody([track('chunked_1')])),
      contentLength: false,
    })
    expect(within.status).toBe(200)
    expect(JSON.parse(within.body)).toMatchObject({ accepted: 1 })
    await expectAlive(server.url)
  })
})
