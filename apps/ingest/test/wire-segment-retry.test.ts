/**
 * A Segment client that gives up waiting and sends the same batch again: the service stores the
 * first attempt after the client stopped listening (inserts are held back by
 * `LASTSEEN_INSERT_INTERVAL`), and the client's own retry of the batch is a duplicate, as its
 * messages keep their `messageId`.
 */
import { Analytics } from '@segment/analytics-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server.js'
import { READ_KEY, startTestServer, WRITE_KEY, waitUntil } from './helpers.js'

/** Least time between two inserts: each write waits for it, longer than the client waits. */
const INSERT_INTERVAL_MS = 1500

let server: RunningServer
beforeAll(async () => {
  server = await startTestServer({ LASTSEEN_INSERT_INTERVAL: `${INSERT_INTERVAL_MS}ms` })
})
afterAll(async () => {
  await server.close()
})

async function wireCounts(): Promise<Record<string, number>> {
  const text = await (await fetch(`${server.url}/metrics`)).text()
  const counts: Record<string, number> = {}
  for (const [, outcome, n] of text.matchAll(
    /^lastseen_wire_messages_total\{wire="segment",outcome="(\w+)"\} (\d+)$/gm,
  )) {
    counts[outcome as string] = Number(n)
  }
  return counts
}

describe("a Segment client's retry after a timeout", () => {
  it('is stored once: the retry of a stored batch is a duplicate', async () => {
    // An insert now, so that the next write waits for the interval.
    await fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WRITE_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        sentAt: new Date().toISOString(),
        batch: [{ id: crypto.randomUUID(), type: 'seen', userId: 'warm_up' }],
      }),
    })
    const analytics = new Analytics({
      writeKey: WRITE_KEY,
      host: server.url,
      httpRequestTimeout: 300,
      maxRetries: 1,
    })
    const attempts: string[] = []
    analytics.on('http_request', (req) => attempts.push(req.body))
    const events = Array.from({ length: 5 }, (_, i) => `retried_${i}`)
    for (const event of events) analytics.track({ userId: 'retry_u', event })
    await analytics.closeAndFlush({ timeout: 30_000 })
    expect(attempts.length, 'the client sent the batch again').toBe(2)
    // The messages of both attempts are the same: the retry is the same batch.
    const ids = (body: string) =>
      (JSON.parse(body) as { batch: { messageId: string }[] }).batch.map((m) => m.messageId)
    expect(ids(attempts[1] as string)).toEqual(ids(attempts[0] as string))

    // Both attempts reach storage, each after the client stopped waiting.
    await waitUntil(
      async () => {
        const c = await wireCounts()
        return (c.accepted ?? 0) + (c.duplicate ?? 0) === 2 * events.length
      },
      'both attempts stored',
      { timeoutMs: 20_000 },
    )
    expect(await wireCounts()).toEqual({ accepted: events.length, duplicate: events.length })
    const res = await fetch(`${server.url}/v1/events?userId=retry_u`, {
      headers: { authorization: `Bearer ${READ_KEY}` },
    })
    const answer = (await res.json()) as { events: { event: string; count: number }[] }
    expect(Object.fromEntries(answer.events.map((e) => [e.event, e.count]))).toEqual(
      Object.fromEntries(events.map((e) => [e, 1])),
    )
  }, 60_000)
})
