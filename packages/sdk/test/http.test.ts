/**
 * The SDK against a real HTTP socket on 127.0.0.1 that fails the way networks and servers do:
 * retries with backoff, Retry-After (seconds and HTTP-date), 413 splitting, refused batches,
 * per-event rejections, drop-oldest reporting, gzip, and shutdown against a server that never answers.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { LastseenError } from '../src/errors.js'
import { createTracker as createEdgeTracker } from '../src/index.js'
import { createTracker } from '../src/node.js'
import type { TrackerOptions } from '../src/options.js'
import { answer, type Sink, startSink } from './support/sink.js'

type Events = { search: { query: string }; login: undefined }

let sink: Sink
beforeEach(async () => {
  sink = await startSink()
})
afterEach(async () => {
  await sink.close()
})

function setup(options: Partial<TrackerOptions> = {}) {
  const errors: LastseenError[] = []
  const tracker = createTracker<Events>({
    endpoint: sink.url,
    writeKey: 'lsw_test_key',
    flushAt: 1000,
    debounceMs: 60_000,
    maxWaitMs: 60_000,
    retry: { limit: 3, delayMs: 20 },
    onError: (e) => errors.push(e),
    ...options,
  })
  return { tracker, errors }
}

const logins = (n: number, tracker: ReturnType<typeof setup>['tracker']) => {
  for (let i = 0; i < n; i++) tracker.track('login', undefined, { userId: `u${i}`, timestamp: 0 })
}

describe('over HTTP', () => {
  it('authenticates with the write key and answers are counted', async () => {
    const { tracker } = setup()
    tracker.track('search', { query: 'q' }, { userId: 'u1', accountId: 'acme' })
    await tracker.flush()
    expect(sink.requests[0]!.headers.authorization).toBe('Bearer lsw_test_key')
    expect(sink.requests[0]!.headers['content-type']).toBe('application/json')
    expect(sink.requests[0]!.body.library?.name).toBe('@lastseen/sdk')
    expect(tracker.getStats()).toMatchObject({ sent: 2, queued: 0, retried: 0 })
    await tracker.shutdown()
  })

  it('retries network-level failures and 5xx with the same event ids, then delivers once', async () => {
    sink.respond((_body, attempt, res) => (attempt <= 2 ? answer(res, 503) : undefined))
    const { tracker, errors } = setup()
    logins(3, tracker)
    await tracker.flush()
    expect(sink.requests).toHaveLength(3)
    const ids = sink.requests.map((r) => r.body.batch.map((e) => e.id).join())
    expect(new Set(ids).size).toBe(1)
    expect(tracker.getStats()).toMatchObject({ sent: 3, retried: 2, queued: 0 })
    expect(errors).toHaveLength(0)
    await tracker.shutdown()
  })

  it('retries an attempt that got no answer within timeoutMs, with the same event ids', async () => {
    sink.respond((_b, attempt) => (attempt === 1 ? 'hang' : undefined))
    const { tracker, errors } = setup({ timeoutMs: 200 })
    logins(2, tracker)
    await tracker.flush()
    expect(sink.requests).toHaveLength(2)
    const ids = sink.requests.map((r) => r.body.batch.map((e) => e.id).join())
    expect(ids[0]).toBe(ids[1])
    expect(tracker.getStats()).toMatchObject({ sent: 2, retried: 1, queued: 0 })
    expect(errors).toHaveLength(0)
    await tracker.shutdown()
  })

  it('honours Retry-After in seconds', async () => {
    sink.respond((_b, attempt, res) =>
      attempt === 1 ? answer(res, 429, { 'retry-after': '1' }) : undefined,
    )
    const { tracker } = setup()
    logins(1, tracker)
    await tracker.flush()
    expect(sink.requests).toHaveLength(2)
    expect(sink.requests[1]!.at - sink.requests[0]!.at).toBeGreaterThanOrEqual(950)
    expect(tracker.getStats().sent).toBe(1)
    await tracker.shutdown()
  })

  it('honours Retry-After as an HTTP-date', async () => {
    let retryAt = 0
    sink.respond((_b, attempt, res) => {
      if (attempt > 1) return undefined
      // HTTP-dates have whole seconds: the next full second after at least one second.
      retryAt = Math.ceil((Date.now() + 1000) / 1000) * 1000
      return answer(res, 503, { 'retry-after': new Date(retryAt).toUTCString() })
    })
    const { tracker } = setup()
    logins(1, tracker)
    await tracker.flush()
    expect(sink.requests).toHaveLength(2)
    expect(sink.requests[1]!.at).toBeGreaterThanOrEqual(retryAt - 50)
    await tracker.shutdown()
  })

  it('splits a batch the server finds too large (413) until it fits', async () => {
    sink.respond((body, _a, res) => (body.batch.length > 3 ? answer(res, 413) : undefined))
    const { tracker, errors } = setup()
    logins(10, tracker)
    await tracker.flush()
    expect(sink.stored.size).toBe(10)
    expect(tracker.getStats()).toMatchObject({ sent: 10, failed: 0, queued: 0 })
    const sizes = sink.requests.map((r) => r.body.batch.length)
    expect(sizes.slice(0, 3)).toEqual([10, 5, 3])
    expect(errors).toHaveLength(0)
    await tracker.shutdown()
  })

  it('drops a batch the server refuses (401) without retrying, and says why', async () => {
    sink.respond((_b, _a, res) => answer(res, 401))
    const { tracker, errors } = setup()
    logins(4, tracker)
    await tracker.flush()
    expect(sink.requests).toHaveLength(1)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ code: 'http_error', status: 401, events: 4 })
    expect(errors[0]!.message).toMatch(/status 401/)
    expect(tracker.getStats()).toMatchObject({ failed: 4, queued: 0, sent: 0 })
    await tracker.shutdown()
  })

  it('does not retry events the server rejects individually', async () => {
    sink.respond((body, _a, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          accepted: body.batch.length - 1,
          duplicates: 0,
          rejected: [{ index: 1, reason: 'userId is over 200 characters' }],
        }),
      )
      return 'handled'
    })
    const { tracker, errors } = setup()
    logins(3, tracker)
    await tracker.flush()
    await tracker.flush()
    expect(sink.requests).toHaveLength(1)
    expect(errors[0]).toMatchObject({ code: 'rejected', events: 1 })
    expect(errors[0]!.message).toMatch(/#1: userId is over 200 characters/)
    expect(tracker.getStats()).toMatchObject({ sent: 2, rejected: 1, queued: 0 })
    await tracker.shutdown()
  })

  it('drops the oldest events when the queue is full and reports how many in the next batch', async () => {
    const { tracker, errors } = setup({ maxQueueSize: 5 })
    logins(8, tracker)
    expect(tracker.getStats()).toMatchObject({ queued: 5, dropped: 3 })
    expect(errors.filter((e) => e.code === 'queue_full')).toHaveLength(1) // once per overflow
    await tracker.flush()
    expect(sink.requests[0]!.body.dropped).toBe(3)
    expect(sink.events().map((e) => e.userId)).toEqual(['u3', 'u4', 'u5', 'u6', 'u7'])
    logins(1, tracker)
    await tracker.flush()
    expect(sink.requests[1]!.body.dropped).toBeUndefined()
    await tracker.shutdown()
  })

  it('keeps at most two automatic requests in flight; the rest waits in the bounded queue', async () => {
    const held: Array<() => void> = []
    sink.respond((body, _a, res) => {
      held.push(() => {
        for (const e of body.batch) sink.stored.add(e.id)
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ accepted: body.batch.length, duplicates: 0, rejected: [] }))
      })
      return 'handled'
    })
    const { tracker } = setup({ flushAt: 2 })
    logins(10, tracker)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(sink.requests).toHaveLength(2)
    expect(tracker.getStats()).toMatchObject({ inFlight: 4, queued: 6 })
    sink.respond(undefined)
    for (const release of held.splice(0)) release()
    await tracker.flush()
    expect(sink.stored.size).toBe(10)
    expect(tracker.getStats()).toMatchObject({ inFlight: 0, queued: 0, sent: 10 })
    await tracker.shutdown()
  })

  it('keeps events when every retry failed, and delivers them with a later flush', async () => {
    let down = true
    sink.respond((_b, _a, res) => (down ? answer(res, 500) : undefined))
    const { tracker, errors } = setup({ retry: { limit: 1, delayMs: 10 } })
    logins(2, tracker)
    await tracker.flush()
    expect(errors.map((e) => e.code)).toEqual(['network_error'])
    expect(tracker.getStats()).toMatchObject({ queued: 2, sent: 0, retried: 1 })
    down = false
    await tracker.flush()
    expect(tracker.getStats()).toMatchObject({ queued: 0, sent: 2 })
    expect(sink.stored.size).toBe(2)
    await tracker.shutdown()
  })

  it('gzips large bodies', async () => {
    const { tracker } = setup()
    for (let i = 0; i < 50; i++) tracker.track('search', { query: `query ${i}` }, { userId: 'u' })
    await tracker.flush()
    expect(sink.requests[0]!.headers['content-encoding']).toBe('gzip')
    expect(sink.stored.size).toBe(51)
    await tracker.shutdown()
  })

  it('the universal (edge) entry sends with fetch alone, as in a Worker after waitUntil(flush())', async () => {
    const tracker = createEdgeTracker<Events>({ endpoint: sink.url, writeKey: 'lsw_edge' })
    tracker.for({ userId: 'u_edge', accountId: 'acme' }).track('search', { query: 'q' })
    const pending = tracker.flush() // what ctx.waitUntil() would be given
    await pending
    expect(sink.requests[0]!.headers.authorization).toBe('Bearer lsw_edge')
    expect(sink.events().map((e) => [e.type, e.userId, e.accountId])).toEqual([
      ['seen', 'u_edge', 'acme'],
      ['track', 'u_edge', 'acme'],
    ])
    await tracker.shutdown()
  })

  it('settles flush() and shutdown() within their timeout against a server that never answers', async () => {
    let closed = 0
    sink.respond((_b, _a, res) => {
      res.on('close', () => closed++)
      return 'hang'
    })
    const { tracker, errors } = setup({ timeoutMs: 60_000 })
    logins(2, tracker)
    const started = Date.now()
    await tracker.flush({ timeoutMs: 300 })
    await tracker.shutdown({ timeoutMs: 300 })
    expect(Date.now() - started).toBeLessThan(5000)
    expect(errors.map((e) => e.code)).toEqual(['timeout', 'timeout'])
    // shutdown() aborted the open request, so nothing keeps the process alive
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(closed).toBe(1)
    tracker.track('login', undefined, { userId: 'late' })
    expect(tracker.getStats().queued).toBe(2)
  })
})
