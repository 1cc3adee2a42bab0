/**
 * A slow query is not a hung disk: on the embedded store a `/readyz` probe that misses its short
 * deadline behind a slow statement answers 503, but writes keep being taken (they wait their
 * turn within the longer storage deadline) instead of being refused until the statement ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/server.js'
import { startTestServer, WRITE_KEY } from '../helpers.js'
import { expectAlive } from './support.js'

let server: RunningServer
beforeAll(async () => {
  server = await startTestServer({ LASTSEEN_RATE_LIMIT: '0' })
})
afterAll(async () => {
  await server?.close()
})

describe('a slow statement on the embedded store', () => {
  it('fails /readyz without making writes refused', async () => {
    const slow = server.storage.client.query({
      query: 'SELECT sleep(3) AS s',
      format: 'JSONEachRow',
    })
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503)
    const res = await fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WRITE_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        sentAt: new Date().toISOString(),
        batch: [{ id: crypto.randomUUID(), type: 'track', event: 'search', userId: 'slow' }],
      }),
    })
    expect(res.status).toBe(200)
    await slow
    await expectAlive(server.url)
  })
})
