import { describe, expect, it } from 'vitest'
import { createTracker } from './tracker.js'
import type { BatchRequest } from './wire.js'

type Events = { search: { query: string }; login: undefined }

/** A fetch that records each batch and answers like the service. */
function recordingFetch() {
  const bodies: BatchRequest[] = []
  const requests: Request[] = []
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    requests.push(request)
    const body = (await request.json()) as BatchRequest
    bodies.push(body)
    return Response.json({ accepted: body.batch.length, duplicates: 0, rejected: [] })
  }
  return { fetch: fetch as typeof globalThis.fetch, bodies, requests }
}

describe('createTracker', () => {
  it('sends queued events as one batch on flush, authenticated by the write key', async () => {
    const sink = recordingFetch()
    const tracker = createTracker<Events>({
      endpoint: 'http://ingest.test/',
      writeKey: 'lsw_key',
      fetch: sink.fetch,
    })
    tracker.track('search', { query: 'a' }, { userId: 'u_1', accountId: 'acme' })
    tracker.track('login', undefined, { userId: 'u_1' })
    await tracker.flush()

    expect(sink.requests[0]?.url).toBe('http://ingest.test/v1/batch')
    expect(sink.requests[0]?.headers.get('authorization')).toBe('Bearer lsw_key')
    const batch = sink.bodies[0]?.batch ?? []
    expect(batch.map((e) => e.type === 'track' && e.event)).toEqual(['search', 'login'])
    expect(batch[0]).toMatchObject({ userId: 'u_1', accountId: 'acme', properties: { query: 'a' } })
    expect(new Set(batch.map((e) => e.id)).size).toBe(2)
  })

  it('sends nothing when the queue is empty', async () => {
    const sink = recordingFetch()
    const tracker = createTracker<Events>({
      endpoint: 'http://x',
      writeKey: 'k',
      fetch: sink.fetch,
    })
    await tracker.flush()
    expect(sink.requests).toHaveLength(0)
  })
})
