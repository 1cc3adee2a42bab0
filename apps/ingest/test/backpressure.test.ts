/**
 * Bounded memory over real HTTP: when more events wait than `LASTSEEN_MAX_QUEUE`, a write is
 * answered 503 with `Retry-After` at once instead of being held, and the waiting ones are still
 * stored and answered.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { RunningServer } from '../src/server.js'
import { count, startTestServer, WRITE_KEY, waitUntil } from './helpers.js'

let server: RunningServer
beforeAll(async () => {
  // Storage that takes a group only every 3 s, and room for 1,000 waiting events.
  server = await startTestServer({ LASTSEEN_INSERT_INTERVAL: '3s', LASTSEEN_MAX_QUEUE: '1000' })
})
afterAll(async () => {
  await server.close()
})

const send = (n: number, userId: string) =>
  fetch(`${server.url}/v1/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${WRITE_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      sentAt: new Date().toISOString(),
      batch: Array.from({ length: n }, () => ({ id: crypto.randomUUID(), type: 'seen', userId })),
    }),
  })

async function queued(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text()
  return Number(/^lastseen_queue_events (\d+)$/m.exec(text)?.[1])
}

it('answers 503 + Retry-After when the queue is full, and stores what it holds', async () => {
  expect((await send(1, 'first')).status).toBe(200) // starts the 3 s interval
  const waiting = send(1000, 'waiting')
  // Well within the 3 s interval the 1,000 events wait behind.
  await waitUntil(async () => (await queued()) >= 1000, '1,000 events queued', {
    timeoutMs: 2500,
    intervalMs: 10,
  })
  const refused = await send(1, 'refused')
  expect(refused.status).toBe(503)
  expect(refused.headers.get('retry-after')).toBe('1')
  expect(await refused.json()).toMatchObject({ error: { code: 'unavailable' } })

  const answer = await waiting
  expect(await answer.json()).toEqual({ accepted: 1000, duplicates: 0, rejected: [] })
  expect(
    await count(server, "SELECT count() AS n FROM {db}.users FINAL WHERE user_id = 'refused'"),
  ).toBe(0)
  expect(
    await count(server, "SELECT count() AS n FROM {db}.users FINAL WHERE user_id = 'waiting'"),
  ).toBe(1)
  const text = await (await fetch(`${server.url}/metrics`)).text()
  expect(text).toMatch(/lastseen_overloaded_total\{reason="queue_full"\} 1/)
})
