/**
 * Revoking keys while the service runs: a revoked write key and a revoked read key are refused
 * within the documented bound (10 s, the key cache's time), with nothing reloading the keys by
 * hand. The revocation goes through the running service's own storage, as `keys revoke` does
 * (the embedded store serves one process).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKeys, revokeKey } from '../src/keys/admin.js'
import { KEY_CACHE_MS } from '../src/keys/key-ring.js'
import type { RunningServer } from '../src/server.js'
import { startTestServer } from './helpers.js'

let server: RunningServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const write = (key: string) =>
  fetch(`${server.url}/v1/track`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      id: crypto.randomUUID(),
      type: 'track',
      event: 'search',
      userId: 'u_revoked',
    }),
  })

const read = (key: string) =>
  fetch(`${server.url}/v1/active`, { headers: { authorization: `Bearer ${key}` } })

/**
 * Ms from now until `request` is answered `status` (the other answer being `otherwise`), polled
 * every 200 ms; throws past `deadlineMs`.
 */
async function answeredAfter(
  status: number,
  otherwise: number,
  request: () => Promise<Response>,
  deadlineMs: number,
) {
  const started = Date.now()
  for (;;) {
    const res = await request()
    if (res.status === status) {
      await res.arrayBuffer()
      return Date.now() - started
    }
    expect(res.status).toBe(otherwise)
    await res.arrayBuffer()
    if (Date.now() - started > deadlineMs) {
      throw new Error(`still answered ${otherwise} after ${deadlineMs} ms`)
    }
    await sleep(200)
  }
}

describe('a revoked key', () => {
  it('is refused by the running service within 10 s, the write key and the read key', async () => {
    expect(KEY_CACHE_MS).toBe(10_000)
    const keys = await createKeys(server.storage, 'revoking', ['write', 'read'], 'to revoke')
    // The bound, plus the time one reload of the key list takes once the cache is found old.
    const bound = KEY_CACHE_MS + 1500
    // New keys are accepted within the bound too; once both work, the service's key cache
    // holds them when they are revoked.
    await Promise.all([
      answeredAfter(200, 401, () => write(keys.write!), bound),
      answeredAfter(200, 401, () => read(keys.read!), bound),
    ])

    await revokeKey(server.storage, keys.write!)
    await revokeKey(server.storage, keys.read!)
    const [writeRefused, readRefused] = await Promise.all([
      answeredAfter(401, 200, () => write(keys.write!), bound),
      answeredAfter(401, 200, () => read(keys.read!), bound),
    ])
    expect(writeRefused).toBeLessThanOrEqual(bound)
    expect(readRefused).toBeLessThanOrEqual(bound)
    // And they stay refused.
    expect((await write(keys.write!)).status).toBe(401)
    expect((await read(keys.read!)).status).toBe(401)
  })
})
