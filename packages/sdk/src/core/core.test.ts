/**
 * When batches go out (debounce, maxWait, flushAt, maxBatchBytes), debounced calls, and the
 * hourly heartbeat, under fake timers. The server here is an in-process `fetch` that answers
 * like the service; HTTP behaviour itself is tested on real sockets in `test/http.test.ts`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { heartbeatId } from '../ids.js'
import { createTracker } from '../node.js'
import type { TrackerOptions } from '../options.js'
import type { BatchRequest, WireEvent, WireTrackEvent } from '../wire.js'

type Events = { search: { query: string }; login: undefined; upload: { blob: string } }

function recordingFetch() {
  const batches: { at: number; body: BatchRequest }[] = []
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    const body = (await request.json()) as BatchRequest
    batches.push({ at: Date.now(), body })
    return Response.json({ accepted: body.batch.length, duplicates: 0, rejected: [] })
  }
  const events = () => batches.flatMap((b) => b.body.batch)
  const tracks = () => events().filter((e): e is WireTrackEvent => e.type === 'track')
  const seen = () => events().filter((e) => e.type === 'seen')
  return { fetch: fetch as typeof globalThis.fetch, batches, events, tracks, seen }
}

function setup(options: Partial<TrackerOptions> = {}) {
  const sink = recordingFetch()
  const errors: Error[] = []
  const tracker = createTracker<Events>({
    endpoint: 'http://ingest.test',
    writeKey: 'lsw_test',
    fetch: sink.fetch,
    gzip: false,
    debounceMs: 500,
    maxWaitMs: 2000,
    flushAt: 100,
    onError: (e) => errors.push(e),
    ...options,
  })
  return { sink, tracker, errors }
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-03-02T10:00:00Z') })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('batching', () => {
  it('sends one batch debounceMs after the latest track()', async () => {
    const { sink, tracker } = setup()
    tracker.track('search', { query: 'a' }, { userId: 'u1' })
    await vi.advanceTimersByTimeAsync(300)
    tracker.track('search', { query: 'ab' }, { userId: 'u1' })
    await vi.advanceTimersByTimeAsync(300)
    tracker.track('search', { query: 'abc' }, { userId: 'u1' })
    await vi.advanceTimersByTimeAsync(499)
    expect(sink.batches).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(sink.batches).toHaveLength(1)
    expect(sink.tracks().map((e) => e.properties)).toEqual([
      { query: 'a' },
      { query: 'ab' },
      { query: 'abc' },
    ])
  })

  it('never waits longer than maxWaitMs after the oldest event, however busy', async () => {
    const { sink, tracker } = setup()
    const start = Date.now()
    for (let i = 0; i < 12; i++) {
      tracker.track('search', { query: String(i) }, { userId: 'u1' })
      await vi.advanceTimersByTimeAsync(250)
    }
    expect(sink.batches.length).toBeGreaterThan(0)
    expect(sink.batches[0]!.at - start).toBe(2000)
    expect(sink.batches[0]!.body.batch.filter((e) => e.type === 'track')).toHaveLength(8)
  })

  it('sends at once when flushAt events are queued', async () => {
    const { sink, tracker } = setup({ flushAt: 10 })
    for (let i = 0; i < 9; i++) tracker.track('login', undefined, { userId: `u${i}`, timestamp: 0 })
    await vi.advanceTimersByTimeAsync(0)
    expect(sink.batches).toHaveLength(0)
    tracker.track('login', undefined, { userId: 'u9', timestamp: 0 })
    await vi.advanceTimersByTimeAsync(0)
    expect(sink.batches).toHaveLength(1)
    expect(sink.batches[0]!.body.batch).toHaveLength(10)
  })

  it('sends at once when maxBatchBytes are queued, and no request exceeds it', async () => {
    const { sink, tracker } = setup({ maxBatchBytes: 20_000 })
    const blob = 'x'.repeat(3000)
    for (let i = 0; i < 6; i++) tracker.track('upload', { blob }, { userId: 'u', timestamp: 0 })
    await vi.advanceTimersByTimeAsync(0)
    expect(sink.batches).toHaveLength(0)
    tracker.track('upload', { blob }, { userId: 'u', timestamp: 0 })
    await vi.advanceTimersByTimeAsync(0)
    expect(sink.batches.length).toBeGreaterThan(0)
    await tracker.flush()
    expect(sink.events()).toHaveLength(7)
    for (const b of sink.batches) expect(JSON.stringify(b.body).length).toBeLessThanOrEqual(20_000)
  })

  it('flush() sends what was queued before it and waits for what is in flight', async () => {
    const { sink, tracker } = setup({ flushAt: 2 })
    tracker.track('login', undefined, { userId: 'a', timestamp: 0 })
    tracker.track('login', undefined, { userId: 'b', timestamp: 0 }) // starts a send
    tracker.track('login', undefined, { userId: 'c', timestamp: 0 })
    await tracker.flush()
    expect(sink.events().map((e) => e.userId)).toEqual(['a', 'b', 'c'])
    expect(tracker.getStats()).toMatchObject({ queued: 0, inFlight: 0, sent: 3 })
  })

  it('flush() of a long queue keeps at most two requests in flight, and sends each event once', async () => {
    const sink = recordingFetch()
    let open = 0
    let most = 0
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      most = Math.max(most, ++open)
      await new Promise((resolve) => setTimeout(resolve, 50))
      open--
      return sink.fetch(input, init)
    }) as typeof globalThis.fetch
    const { tracker } = setup({ fetch, flushAt: 1000, maxBatchBytes: 2_000, debounceMs: 60_000 })
    for (let i = 0; i < 300; i++) {
      tracker.track('search', { query: 'q'.repeat(50) }, { userId: `u${i}`, timestamp: 0 })
    }
    const flushed = tracker.flush()
    await vi.advanceTimersByTimeAsync(10_000)
    await flushed
    expect(sink.batches.length).toBeGreaterThan(10)
    expect(most).toBe(2)
    expect(sink.tracks()).toHaveLength(300)
    expect(new Set(sink.tracks().map((e) => e.id)).size).toBe(300)
    expect(tracker.getStats()).toMatchObject({ queued: 0, inFlight: 0, sent: 300 })
  })

  it('flush() during an outage tries each queued event once and returns', async () => {
    let tries = 0
    const fetch = (async () => {
      tries++
      throw new TypeError('fetch failed: ECONNREFUSED')
    }) as typeof globalThis.fetch
    const { tracker } = setup({ fetch, maxBatchBytes: 2_000, debounceMs: 60_000, flushAt: 1000 })
    for (let i = 0; i < 100; i++) {
      tracker.track('search', { query: 'q'.repeat(50) }, { userId: `u${i}`, timestamp: 0 })
    }
    const flushed = tracker.flush({ timeoutMs: 60_000 })
    await vi.advanceTimersByTimeAsync(30_000)
    await flushed
    // Every event is kept for later; each batch had its first try and quick retries, no loop.
    expect(tracker.getStats()).toMatchObject({ queued: 100, sent: 0, dropped: 0 })
    expect(tries).toBeGreaterThan(0)
    expect(tries).toBeLessThan(100)
  })

  it('collapses repeated calls with a per-call debounceMs into the last one, with its count', async () => {
    const { sink, tracker } = setup()
    for (const query of ['r', 're', 'rea', 'reac', 'react']) {
      tracker.track('search', { query }, { userId: 'u1', debounceMs: 800 })
      await vi.advanceTimersByTimeAsync(200)
    }
    tracker.track('search', { query: 'x' }, { userId: 'u2', debounceMs: 800 })
    await tracker.flush()
    const searches = sink.tracks()
    expect(searches.map((e) => [e.userId, e.properties, e.count])).toEqual([
      ['u1', { query: 'react' }, 5],
      ['u2', { query: 'x' }, undefined],
    ])
  })
})

describe('through an outage', () => {
  /** A service that fails while `down()` says so, and records when each try came. */
  function flakyFetch(down: (body: BatchRequest) => Response | 'unreachable' | undefined) {
    const sink = recordingFetch()
    const tries: number[] = []
    const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init)
      tries.push(Date.now())
      const failure = down((await request.clone().json()) as BatchRequest)
      if (failure === 'unreachable') throw new TypeError('fetch failed: ECONNREFUSED')
      return failure ?? sink.fetch(request)
    }
    return { sink, tries, fetch: fetch as typeof globalThis.fetch }
  }

  it('keeps the events, retries a request quickly, then waits half as long as the outage has lasted', async () => {
    let down = true
    const service = flakyFetch(() => (down ? 'unreachable' : undefined))
    const { tracker, errors } = setup({ fetch: service.fetch }) // default retry settings
    tracker.track('login', undefined, { userId: 'u1', timestamp: 0 })
    await vi.advanceTimersByTimeAsync(120_000)
    const { tries } = service
    const began = tries[0]!
    // A blip costs little: the first request's 3 quick retries are over within 3.5 s.
    expect(tries[3]! - began).toBeLessThanOrEqual(3500)
    // Then the service is taken to be down: one request per try, each wait half to all of
    // half the outage so far, from retry.delayMs up to retry.backoffLimitMs.
    for (let i = 3; i < tries.length - 1; i++) {
      const ms = Math.min(30_000, Math.max(500, (tries[i]! - began) / 2))
      const gap = tries[i + 1]! - tries[i]!
      expect(gap).toBeGreaterThanOrEqual(ms / 2 - 1)
      expect(gap).toBeLessThanOrEqual(ms + 1)
    }
    expect(tries.length).toBeLessThan(25) // a service that is down is not hammered
    expect(new Set(errors.map((e) => (e as { code?: string }).code))).toEqual(
      new Set(['network_error']),
    )
    expect(tracker.getStats()).toMatchObject({ queued: 1, dropped: 0, sent: 0 })

    down = false
    await vi.advanceTimersByTimeAsync(30_000) // retry.backoffLimitMs at most
    expect(tracker.getStats()).toMatchObject({ queued: 0, dropped: 0, sent: 1 })

    // The next outage starts again with quick retries.
    down = true
    const before = tries.length
    tracker.track('login', undefined, { userId: 'u2', timestamp: 0 })
    await vi.advanceTimersByTimeAsync(2_000)
    expect(tries.length - before).toBeGreaterThanOrEqual(2)
    expect(tries[before + 1]! - tries[before]!).toBeLessThanOrEqual(501)
  })

  it('sends one request per try while the service is down, however much is queued', async () => {
    const up = recordingFetch()
    const tries: number[] = []
    let down = true
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      tries.push(Date.now())
      if (down) throw new TypeError('fetch failed: ECONNREFUSED')
      return up.fetch(input, init)
    }) as typeof globalThis.fetch
    const { tracker } = setup({ fetch, maxBatchBytes: 20_000 })
    for (let i = 0; i < 1000; i++) {
      tracker.track('search', { query: 'q'.repeat(100) }, { userId: `u${i}`, timestamp: 0 })
    }
    await vi.advanceTimersByTimeAsync(120_000)
    // Past the quick retries of the first requests, no two tries start together.
    const later = tries.filter((t) => t - tries[0]! > 5_000)
    expect(later.length).toBeGreaterThan(3)
    expect(new Set(later).size).toBe(later.length)
    down = false
    await vi.advanceTimersByTimeAsync(60_000)
    expect(tracker.getStats()).toMatchObject({ queued: 0, dropped: 0, sent: 1000 })
  })

  it('waits as long as Retry-After says, in quick retries and between tries', async () => {
    let refusals = 5
    const service = flakyFetch(() =>
      refusals-- > 0
        ? Response.json(
            { error: { code: 'unavailable', message: 'storage is down' } },
            { status: 503, headers: { 'retry-after': '7' } },
          )
        : undefined,
    )
    const { tracker } = setup({ fetch: service.fetch })
    tracker.track('login', undefined, { userId: 'u1', timestamp: 0 })
    await vi.advanceTimersByTimeAsync(60_000)
    const { tries } = service
    // 3 quick retries, then 2 tries spaced by the tracker: 7 s apart every time.
    expect(tries.map((t) => t - tries[0]!)).toEqual([0, 7000, 14_000, 21_000, 28_000, 35_000])
    expect(tracker.getStats()).toMatchObject({ queued: 0, sent: 1 })
  })
})

describe('heartbeat', () => {
  it('reports each user seen once per hour across many calls, and again the next hour', async () => {
    const { sink, tracker } = setup()
    for (let minute = 0; minute < 59; minute++) {
      tracker.track('search', { query: 'q' }, { userId: 'u1', accountId: 'acme' })
      tracker.seen('u1')
      tracker.for({ userId: 'u1' }).track('login')
      await vi.advanceTimersByTimeAsync(60_000)
    }
    await tracker.flush()
    expect(sink.seen()).toHaveLength(1)
    expect(sink.seen()[0]).toMatchObject({ userId: 'u1', accountId: 'acme' })

    await vi.advanceTimersByTimeAsync(60_000) // 11:00, the next hour
    tracker.track('search', { query: 'q' }, { userId: 'u1' })
    tracker.seen('u1')
    await tracker.flush()
    expect(sink.seen()).toHaveLength(2)
    const [first, second] = sink.seen()
    expect(first!.id).not.toBe(second!.id)
  })

  it('derives the id from (user, hour), so processes agree and the server collapses them', async () => {
    const a = setup()
    const b = setup()
    a.tracker.seen('u1')
    await vi.advanceTimersByTimeAsync(20 * 60_000)
    b.tracker.seen('u1')
    b.tracker.seen('u2')
    await Promise.all([a.tracker.flush(), b.tracker.flush()])
    const idA = a.sink.seen()[0]!.id
    expect(b.sink.seen()[0]!.id).toBe(idA)
    expect(b.sink.seen()[1]!.id).not.toBe(idA)
    expect(idA).toBe(heartbeatId('u1', Math.floor(Date.now() / 3_600_000)))
  })

  it('keeps a bounded LRU: a forgotten user may be sent again, with the same id', async () => {
    const { sink, tracker } = setup({ heartbeatCacheSize: 2 })
    for (const u of ['a', 'b', 'a', 'c', 'a', 'b']) tracker.seen(u)
    await tracker.flush()
    // a, b, (a remembered), c evicts b, (a remembered), b again
    expect(sink.seen().map((e) => e.userId)).toEqual(['a', 'b', 'c', 'b'])
    const ids = sink.seen().map((e) => e.id)
    expect(ids[3]).toBe(ids[1])
  })

  it('does not send heartbeats for backfilled events with an explicit timestamp', async () => {
    const { sink, tracker } = setup()
    tracker.track('login', undefined, { userId: 'old', timestamp: '2024-01-01T00:00:00Z' })
    await tracker.flush()
    expect(sink.seen()).toHaveLength(0)
    expect(sink.tracks()[0]!.timestamp).toBe('2024-01-01T00:00:00.000Z')
  })
})

describe('never hurts the host', () => {
  it('disables itself with one clear error on invalid options', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const errors: Error[] = []
    const tracker = createTracker<Events>({
      endpoint: 'not a url',
      writeKey: 'k',
      onError: (e) => errors.push(e),
    })
    expect(() => tracker.track('login', undefined, { userId: 'u' })).not.toThrow()
    await tracker.flush()
    await tracker.shutdown()
    expect(log).toHaveBeenCalledTimes(1)
    expect(String(log.mock.calls[0]![0])).toMatch(/tracker disabled: options.endpoint/)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ name: 'LastseenError', code: 'invalid_config' })
    log.mockRestore()
  })

  it('refuses events over 32 KB, unserializable, without a user or with long names, counting each, without throwing', async () => {
    const { sink, tracker, errors } = setup()
    tracker.track('upload', { blob: 'x'.repeat(33_000) }, { userId: 'u', timestamp: 0 })
    const loop: Record<string, unknown> = {}
    loop.self = loop
    tracker.track('upload', loop as { blob: string }, { userId: 'u', timestamp: 0 })
    tracker.track('login', undefined, { timestamp: 0 }) // no user
    tracker.track('login', undefined, { userId: 'u'.repeat(201), timestamp: 0 })
    tracker.track('x'.repeat(201) as 'login', undefined, { userId: 'u', timestamp: 0 })
    await tracker.flush()
    expect(sink.batches).toHaveLength(0)
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual(Array(5).fill('invalid_event'))
    expect(errors[3]!.message).toMatch(/userId over 200 characters/)
    expect(errors[0]!.message).toMatch(/over the 32768-byte limit/)
    expect(tracker.getStats().rejected).toBe(5)
  })

  it('counts seen() and identify() without a valid user, and a bad timestamp, as rejected', async () => {
    const { tracker, errors } = setup()
    tracker.seen('')
    tracker.identify('u'.repeat(201))
    tracker.track('login', undefined, { userId: 'u', timestamp: 'not a time' })
    tracker.group('', { name: 'x' })
    await tracker.flush()
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual(Array(4).fill('invalid_event'))
    expect(tracker.getStats().rejected).toBe(4)
  })

  it('names shutdown() in the report when shutdown() times out', async () => {
    const fetch = (() => new Promise<Response>(() => {})) as typeof globalThis.fetch
    const { tracker, errors } = setup({ fetch })
    tracker.track('login', undefined, { userId: 'u', timestamp: 0 })
    const done = tracker.shutdown({ timeoutMs: 1000 })
    await vi.advanceTimersByTimeAsync(1000)
    await done
    expect(errors.map((e) => e.message)).toEqual([
      '[lastseen] shutdown() timed out after 1000 ms, 1 events unsent',
    ])
  })

  it('refuses properties nested over 32 levels at track(), however deep, and sends the rest', async () => {
    const { sink, tracker, errors } = setup()
    // `levels` deep, objects and arrays in turn (both count); the properties are level 1.
    const nest = (levels: number) => {
      let value: unknown = 'leaf'
      for (let i = 1; i < levels; i++) value = i % 2 ? [value] : { v: value }
      return { v: value } as never
    }
    tracker.track('search', nest(32), { userId: 'ok', timestamp: 0 })
    tracker.track('search', nest(33), { userId: 'deep', timestamp: 0 })
    // Far deeper than any stack: refused, not a RangeError.
    tracker.track('search', nest(1_000_000), { userId: 'deep', timestamp: 0 })
    const cycle: Record<string, unknown> = { query: 'q' }
    cycle.self = cycle
    tracker.track('search', cycle as never, { userId: 'deep', timestamp: 0 })
    tracker.track('login', undefined, { userId: 'ok', timestamp: 0 })
    await tracker.flush()
    expect(sink.events().map((e) => e.userId)).toEqual(['ok', 'ok'])
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual(Array(3).fill('invalid_event'))
    expect(errors[0]!.message).toMatch(/track\("search"\) has properties nested over 32 levels/)
    expect(tracker.getStats()).toMatchObject({ rejected: 3, sent: 2, queued: 0 })
  })

  it('lets beforeSend change or drop events', async () => {
    const { sink, tracker } = setup({
      beforeSend: (e: WireEvent) =>
        e.type === 'track' && e.event === 'login'
          ? null
          : e.type === 'group'
            ? e
            : { ...e, userId: e.userId.toUpperCase() },
    })
    tracker.track('login', undefined, { userId: 'u', timestamp: 0 })
    tracker.track('search', { query: 'q' }, { userId: 'u', timestamp: 0 })
    await tracker.flush()
    expect(sink.events().map((e) => e.userId)).toEqual(['U'])
  })

  it('is a no-op when disabled', async () => {
    const { sink, tracker } = setup({ disabled: true })
    tracker.track('login', undefined, { userId: 'u' })
    await tracker.flush()
    expect(sink.batches).toHaveLength(0)
    expect(tracker.getStats().queued).toBe(0)
  })
})
