/**
 * Exactly once through a crash: `@segment/analytics-node` sends while the service is killed with
 * SIGKILL and started again on the same port and data directory. Every event the client was
 * told was delivered is stored, and no event is counted twice (the client's retries of batches
 * stored just before the kill are duplicates by their `messageId`).
 */
import { Analytics } from '@segment/analytics-node'
import { describe, expect, it } from 'vitest'
import {
  type ChildServer,
  freePort,
  READ_KEY,
  startCliServer,
  tempDataDir,
  WRITE_KEY,
  waitUntil,
} from './helpers.js'

const EVENTS = 300

describe('a Segment client through kill -9', () => {
  it('loses nothing it was told was stored, and counts nothing twice', async () => {
    const port = await freePort()
    const env = {
      LASTSEEN_DATA_DIR: tempDataDir(),
      PORT: String(port),
      LASTSEEN_WRITE_KEY: WRITE_KEY,
      LASTSEEN_READ_KEY: READ_KEY,
    }
    let service: ChildServer = await startCliServer(env)
    const analytics = new Analytics({
      writeKey: WRITE_KEY,
      host: service.url,
      flushAt: 10,
      flushInterval: 20,
      maxRetries: 10,
    })
    let retries = 0
    analytics.on('http_request', (req) => {
      if (req.headers['X-Retry-Count']) retries++
    })
    const outcome = new Map<number, boolean>()
    let sent = 0
    const sendSome = async (n: number) => {
      for (let k = 0; k < n; k++, sent++) {
        const i = sent
        analytics.track({ userId: 'crash_u', event: `crash_${i}` }, (err) =>
          outcome.set(i, err === undefined),
        )
        if (k % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 5))
      }
    }

    await sendSome(EVENTS / 3)
    // Killed while batches are in flight: some were stored but never answered.
    await waitUntil(() => outcome.size >= 40, 'some events delivered', { timeoutMs: 20_000 })
    await sendSome(EVENTS / 3)
    await service.kill()
    await sendSome(EVENTS / 3)
    service = await startCliServer(env)
    await analytics.closeAndFlush({ timeout: 60_000 })

    const delivered = [...outcome].filter(([, ok]) => ok).map(([i]) => i)
    const res = await fetch(`${service.url}/v1/events?userId=crash_u`, {
      headers: { authorization: `Bearer ${READ_KEY}` },
    })
    const { events } = (await res.json()) as { events: { event: string; count: number }[] }
    await service.stop()

    const counts = new Map(events.map((e) => [e.event, e.count]))
    expect(outcome.size).toBe(EVENTS)
    expect(delivered).toHaveLength(EVENTS)
    expect(retries, 'the kill interrupted sending').toBeGreaterThan(0)
    expect(delivered.filter((i) => counts.get(`crash_${i}`) !== 1)).toEqual([])
    expect(events.filter((e) => e.count !== 1)).toEqual([])
  }, 60_000)
})
