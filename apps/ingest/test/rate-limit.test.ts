/**
 * The per-key rate limit over real HTTP: past the burst, 429 with `Retry-After`, and other keys
 * are not affected.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { RunningServer } from '../src/server.js'
import { startTestServer, WRITE_KEY } from './helpers.js'

let server: RunningServer
beforeAll(async () => {
  // 10 events per second: a burst of 20 passes, the next 20 need two more seconds.
  server = await startTestServer({ LASTSEEN_RATE_LIMIT: '10' })
})
afterAll(async () => {
  await server.close()
})

const send = (n: number) =>
  fetch(`${server.url}/v1/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${WRITE_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      sentAt: new Date().toISOString(),
      batch: Array.from({ length: n }, () => ({
        id: crypto.randomUUID(),
        type: 'seen',
        userId: 'u_rate',
      })),
    }),
  })

it('answers 429 with Retry-After once a key has used its burst', async () => {
  expect((await send(20)).status).toBe(200)
  const limited = await send(20)
  expect(limited.status).toBe(429)
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
  expect(await limited.json()).toMatchObject({
    error: { code: 'rate_limited', message: expect.stringContaining('10 events per second') },
  })
})
