/**
 * What delivery does with each outcome of a send, through the `via` sender (no HTTP): what is
 * counted, reported, split, put back and paused.
 */
import { describe, expect, it, vi } from 'vitest'
import type { Config } from '../config.js'
import { COMMON_DEFAULTS, SERVER_DEFAULTS } from '../defaults.js'
import type { Platform } from '../platform/platform.js'
import type { BatchRequest } from '../wire.js'
import { createDelivery } from './delivery.js'
import { createQueue } from './queue.js'
import type { Counts } from './report.js'
import type { Scheduler } from './scheduler.js'
import type { SendOutcome } from './transport.js'

const config = {
  ...COMMON_DEFAULTS,
  ...SERVER_DEFAULTS,
  batchUrl: 'http://ingest.test/v1/batch',
  writeKey: 'lsw_test',
} as Config

function harness(events = 4, bytes = 10, options: Partial<Config> = {}) {
  const queue = createQueue(1000)
  for (let i = 0; i < events; i++) {
    queue.push({ id: `e${i}`, json: JSON.stringify({ id: `e${i}` }), bytes })
  }
  const counts: Counts = { sent: 0, duplicates: 0, retried: 0, dropped: 0, rejected: 0, failed: 0 }
  const scheduler = { requeued: vi.fn(), pause: vi.fn(), resume: vi.fn() }
  const report = vi.fn()
  const log = vi.fn()
  const settled = vi.fn()
  const abort = new AbortController()
  const delivery = createDelivery(
    { ...config, ...options },
    { keyInBody: false, keepalive: false } as Platform,
    {
      queue,
      scheduler: scheduler as unknown as Scheduler,
      counts,
      report,
      log,
      settled,
      signal: abort.signal,
    },
  )
  /** The ids of each body sent through `via`, answered by `answer`. */
  const bodies: string[][] = []
  const via = (answer: (ids: string[]) => SendOutcome) => async (body: string) => {
    const ids = (JSON.parse(body) as BatchRequest).batch.map((e) => e.id)
    bodies.push(ids)
    return answer(ids)
  }
  return { queue, counts, scheduler, report, log, settled, abort, delivery, bodies, via }
}

const ok = (response: Partial<{ accepted: number; duplicates: number; rejected: unknown[] }>) =>
  ({ kind: 'ok', response }) as SendOutcome

describe('delivery', () => {
  it('counts what the service acknowledged, duplicates included, and settles', async () => {
    const h = harness(5)
    const sending = h.delivery.send(
      100_000,
      h.via(() => ok({ accepted: 3, duplicates: 2 })),
    )
    expect([...h.delivery.inflight.values()][0]?.map((i) => i.id)).toHaveLength(5)
    await sending
    expect(h.counts).toMatchObject({ sent: 5, duplicates: 2, rejected: 0, failed: 0 })
    expect(h.log).toHaveBeenCalledWith('sent 5 events: 3 accepted, 2 duplicates')
    expect(h.report).not.toHaveBeenCalled()
    expect(h.settled).toHaveBeenCalledTimes(1)
    expect(h.delivery.inflight.size).toBe(0)
    expect(h.scheduler.resume).toHaveBeenCalled()
    expect(h.queue.length).toBe(0)
  })

  it("reports the service's rejections, naming at most three", async () => {
    const h = harness(5)
    const rejected = ['a', 'b', 'c', 'd', 'e'].map((reason, index) => ({ index, reason }))
    await h.delivery.send(
      100_000,
      h.via(() => ok({ accepted: 0, rejected })),
    )
    expect(h.counts.rejected).toBe(5)
    expect(h.report).toHaveBeenCalledWith(
      'rejected',
      'server refused 5 events (#0: a; #1: b; #2: c)',
      5,
    )
  })

  it('rejects nothing when the answer has no list of rejections', async () => {
    const h = harness(2)
    await h.delivery.send(
      100_000,
      h.via(() => ok({ accepted: 2 })),
    )
    expect(h.counts).toMatchObject({ sent: 2, duplicates: 0, rejected: 0 })
    expect(h.report).not.toHaveBeenCalled()
  })

  it('splits a batch refused as too large in two until the halves fit', async () => {
    const h = harness(4)
    const answer = (ids: string[]): SendOutcome =>
      ids.length > 2 ? { kind: 'too_large', message: 'over 1 MB' } : ok({ accepted: ids.length })
    await h.delivery.send(100_000, h.via(answer))
    expect(h.bodies).toEqual([
      ['e0', 'e1', 'e2', 'e3'],
      ['e0', 'e1'],
      ['e2', 'e3'],
    ])
    expect(h.counts).toMatchObject({ sent: 4, rejected: 0 })
    expect(h.log).toHaveBeenCalledWith('413: splitting 4 events in two')
  })

  it('refuses one event that is too large on its own, once', async () => {
    const h = harness(1)
    await h.delivery.send(
      100_000,
      h.via(() => ({ kind: 'too_large', message: 'over 32 KB' })),
    )
    expect(h.bodies).toEqual([['e0']])
    expect(h.counts).toMatchObject({ sent: 0, rejected: 1 })
    expect(h.report).toHaveBeenCalledWith(
      'http_error',
      'server refused an event as too large: over 32 KB',
      1,
    )
  })

  it('drops a batch refused as a whole, counted as failed', async () => {
    const h = harness(3)
    await h.delivery.send(
      100_000,
      h.via(() => ({ kind: 'refused', status: 401, message: 'unknown key' })),
    )
    expect(h.counts).toMatchObject({ sent: 0, failed: 3 })
    expect(h.queue.length).toBe(0)
    expect(h.report).toHaveBeenCalledWith(
      'http_error',
      'server refused a batch of 3 events (401): unknown key',
      3,
      undefined,
      401,
    )
  })

  it.each([
    [401, /401: it does not know this write key; check `writeKey`/],
    [403, /403: this key may not write; set `writeKey` to a write key/],
    [404, /404: nothing answers at http:\/\/ingest.test\/v1\/batch; check `endpoint`/],
  ])(
    'warns once on the console when the service answers %i, naming the fix',
    async (status, fix) => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
      try {
        const h = harness(6)
        const refused = h.via(() => ({ kind: 'refused', status, message: 'no' }))
        await h.delivery.send(30, refused)
        await h.delivery.send(30, refused)
        expect(warn).toHaveBeenCalledTimes(1)
        expect(String(warn.mock.calls[0]?.[0])).toMatch(fix)
      } finally {
        warn.mockRestore()
      }
    },
  )

  it('leaves the console alone when onError takes the errors, or for other refusals', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      const h = harness(2, 10, { onError: () => {} })
      await h.delivery.send(
        100,
        h.via(() => ({ kind: 'refused', status: 401, message: 'no' })),
      )
      const g = harness(2)
      await g.delivery.send(
        100,
        g.via(() => ({ kind: 'refused', status: 400, message: 'no' })),
      )
      expect(warn).not.toHaveBeenCalled()
    } finally {
      warn.mockRestore()
    }
  })

  it('puts the events of a failed send back in order, and pauses for the backoff', async () => {
    const h = harness(3)
    const cause = new Error('ECONNREFUSED')
    await h.delivery.send(
      100_000,
      h.via(() => ({ kind: 'failed', message: 'down', cause, retryAfterMs: 3000 })),
    )
    expect(h.queue.snapshot().map((i) => i.id)).toEqual(['e0', 'e1', 'e2'])
    // Not as new events: they keep their place in time.
    expect(h.scheduler.requeued).toHaveBeenCalledWith(false)
    expect(h.scheduler.pause).toHaveBeenCalledWith(3000)
    expect(h.scheduler.resume).not.toHaveBeenCalled()
    expect(h.report).toHaveBeenCalledWith(
      'network_error',
      'sending 3 events failed, next try in 3000 ms: down',
      3,
      cause,
    )
    expect(h.counts).toMatchObject({ sent: 0, failed: 0 })
  })

  it('after shutdown keeps the events of a failed send, without pausing or reporting', async () => {
    const h = harness(2)
    h.abort.abort()
    await h.delivery.send(
      100_000,
      h.via(() => ({ kind: 'failed', message: 'x', cause: null })),
    )
    expect(h.queue.length).toBe(2)
    expect(h.scheduler.pause).not.toHaveBeenCalled()
    expect(h.report).not.toHaveBeenCalled()
  })

  it('takes events for a body of maxBytes, leaving room for the envelope', () => {
    // 512 bytes of the 1000 are kept for the envelope: four events of 100 bytes (and their
    // commas) fit in the rest, five do not.
    const h = harness(10, 100)
    expect(h.delivery.take(1000)).toHaveLength(4)
  })
})
