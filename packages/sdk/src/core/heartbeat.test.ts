import { describe, expect, it } from 'vitest'
import type { Config } from '../config.js'
import { heartbeatId } from '../ids.js'
import type { WireSeenEvent } from '../wire.js'
import { createHeartbeat } from './heartbeat.js'

const HOUR = 3_600_000

function harness() {
  const buckets = new Map<string, number>()
  const queued: WireSeenEvent[] = []
  const beat = createHeartbeat(
    { heartbeatIntervalMs: HOUR } as Config,
    { get: (u) => buckets.get(u), set: (u, b) => void buckets.set(u, b) },
    (e) => queued.push(e),
  )
  return { beat, queued }
}

describe('the heartbeat', () => {
  it('queues one seen event per user and clock hour, with an id of the user and hour', () => {
    const { beat, queued } = harness()
    const t = Date.parse('2026-03-02T10:15:00Z')
    beat('u1', undefined, t)
    beat('u1', undefined, t + 30 * 60_000)
    beat('u2', 'acme', t)
    // The clock went back an hour: that hour had its heartbeat already (or is over).
    beat('u1', undefined, t - HOUR)
    beat('u1', undefined, t + 45 * 60_000)
    const bucket = Math.floor(t / HOUR)
    expect(queued).toStrictEqual([
      {
        id: heartbeatId('u1', bucket),
        type: 'seen',
        userId: 'u1',
        timestamp: '2026-03-02T10:15:00.000Z',
      },
      {
        id: heartbeatId('u2', bucket),
        type: 'seen',
        userId: 'u2',
        accountId: 'acme',
        timestamp: '2026-03-02T10:15:00.000Z',
      },
      {
        id: heartbeatId('u1', bucket + 1),
        type: 'seen',
        userId: 'u1',
        timestamp: '2026-03-02T11:00:00.000Z',
      },
    ])
  })
})
