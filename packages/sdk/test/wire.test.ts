/**
 * The wire format, pinned: what the SDK sends to `POST /v1/batch`, byte for byte apart from the
 * library version, compared with `__snapshots__/wire.json`. Trackers run with a fixed clock and
 * fixed event ids against a local sink on a real socket, and flush explicitly, so every body is
 * the same on every run. A renamed or added field, a changed header or a changed heartbeat id
 * fails here before a service can be surprised by it; when the change is meant, update the
 * snapshot (`vitest -u`) and the service's schemas with it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createTracker as createBrowserTracker } from '../src/browser.js'
import { createTracker } from '../src/node.js'
import { type Sink, startSink } from './support/sink.js'

type Events = { search: { query: string; filters?: string[] }; login: undefined }
type Traits = {
  user: { email: string; name: string; plan: 'free' | 'pro' }
  account: { name: string; mrr: number }
}

let sink: Sink
beforeEach(async () => {
  sink = await startSink()
  // Only Date is fixed: timers and sockets run for real.
  vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-03-02T10:15:00.000Z') })
  let n = 0
  vi.spyOn(globalThis.crypto, 'randomUUID').mockImplementation(
    () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` as const,
  )
})
afterEach(async () => {
  vi.useRealTimers()
  vi.restoreAllMocks()
  await sink.close()
})

/** What the sink received, with the one value that changes between releases normalised. */
const requests = () =>
  sink.requests.map(({ headers, body }) => ({
    headers: {
      'content-type': headers['content-type'],
      'content-encoding': headers['content-encoding'],
      authorization: headers.authorization,
    },
    body: { ...body, library: { ...body.library, version: '<version>' } },
  }))

const options = { writeKey: 'lsw_wire_snapshot', debounceMs: 60_000, maxWaitMs: 60_000 }

describe('the wire format', () => {
  it('matches the snapshot, for each kind of event and envelope', async () => {
    const node = createTracker<Events, Traits>({ endpoint: sink.url, ...options })
    // A track with account and properties, and the heartbeat it brings.
    node.track(
      'search',
      { query: 'invoices', filters: ['paid'] },
      { userId: 'u_1', accountId: 'acme' },
    )
    // A heartbeat alone.
    node.seen('u_2')
    // A backfilled event: its own time, no heartbeat.
    node.track('login', undefined, { userId: 'u_3', timestamp: '2026-01-15T08:30:00Z' })
    // Search-as-you-type: three calls collapse into the last, counted, with the first one's id.
    for (const query of ['c', 'ca', 'café']) {
      node.track('search', { query }, { userId: 'u_1', debounceMs: 800 })
    }
    await node.flush()

    // A full queue: the oldest event is dropped, and the next batch says so.
    const small = createTracker<Events>({
      endpoint: sink.url,
      ...options,
      maxQueueSize: 2,
      onError: () => {},
    })
    for (const userId of ['u_4', 'u_5', 'u_6']) {
      small.track('login', undefined, { userId, timestamp: '2026-03-02T09:00:00Z' })
    }
    await small.flush()

    // A browser sends the write key in a text/plain body (no CORS preflight).
    const browser = createBrowserTracker<Events, Traits>({
      endpoint: sink.url,
      ...options,
      persist: false,
    })
    browser.identify('u_7', { accountId: 'acme' })
    browser.track('login')
    await browser.flush()

    // Traits: a user's (with the account link), a scoped update that removes one, an account's
    // sent with the identified user, and an account's sent by a backend (no user).
    browser.identify('u_7', { accountId: 'acme', traits: { email: 'ann@acme.io', name: 'Ann' } })
    browser.group('acme', { name: 'Acme Inc', mrr: 490 })
    await browser.flush()
    node.for({ userId: 'u_1', accountId: 'acme' }).identify({ plan: 'pro', name: null })
    node.group('globex', { name: 'Globex' })
    await node.flush()

    await Promise.all([node.shutdown(), small.shutdown(), browser.shutdown()])
    await expect(`${JSON.stringify(requests(), null, 2)}\n`).toMatchFileSnapshot(
      './__snapshots__/wire.json',
    )
  })
})
