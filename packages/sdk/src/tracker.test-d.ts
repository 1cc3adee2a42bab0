import { describe, expectTypeOf, it } from 'vitest'
import { createTracker as createBrowserTracker } from './browser.js'
import type { TrackerStats } from './index.js'
import { createTracker } from './node.js'
import type { ScopedTracker, Tracker } from './tracker.js'

type Events = {
  search: { query: string }
  'report.export': { format: 'csv' | 'pdf' }
  login: undefined
}
const tracker = createTracker<Events>({ endpoint: 'http://x', writeKey: 'k' })

describe('typed track()', () => {
  it('accepts declared events with their properties', () => {
    tracker.track('search', { query: 'q' }, { userId: 'u' })
    tracker.track('report.export', { format: 'csv' })
    tracker.track('login')
    tracker.track('login', undefined, { userId: 'u', accountId: 'a', timestamp: new Date() })
    tracker.track('search', { query: 'q' }, { userId: 'u', debounceMs: 800 })
    expectTypeOf(tracker.track<'search'>)
      .parameter(1)
      .toEqualTypeOf<{ query: string }>()
  })

  it('rejects unknown events and wrong properties at compile time', () => {
    // @ts-expect-error unknown event name
    tracker.track('serach', { query: 'q' })
    // @ts-expect-error misspelt property
    tracker.track('search', { qeury: 'q' })
    // @ts-expect-error wrong property type
    tracker.track('search', { query: 1 })
    // @ts-expect-error value outside the union
    tracker.track('report.export', { format: 'xls' })
    // @ts-expect-error properties are required when the event declares them
    tracker.track('search')
    // @ts-expect-error an event without properties takes none
    tracker.track('login', { extra: true })
    // @ts-expect-error unknown context field
    tracker.track('login', undefined, { user: 'u' })
  })
})

describe('scoped handles and the rest of the API', () => {
  it('types for(), seen(), identify(), flush(), shutdown() and getStats()', () => {
    const user = tracker.for({ userId: 'u_1', accountId: 'acme' })
    expectTypeOf(user).toEqualTypeOf<ScopedTracker<Events>>()
    user.track('login')
    user.track('search', { query: 'q' }, { debounceMs: 500 })
    // @ts-expect-error the scoped handle already knows its user
    user.track('login', undefined, { userId: 'other' })
    // @ts-expect-error wrong property on the scoped handle too
    user.track('search', { query: 2 })
    tracker.seen('u_1', { accountId: 'acme' })
    tracker.seen()
    tracker.identify('u_1', { accountId: 'acme' })
    expectTypeOf(tracker.flush()).toEqualTypeOf<Promise<void>>()
    expectTypeOf(tracker.shutdown({ timeoutMs: 5000 })).toEqualTypeOf<Promise<void>>()
    expectTypeOf(tracker.getStats()).toEqualTypeOf<TrackerStats>()
  })

  it('accepts any event name and properties without an event map', () => {
    const untyped = createTracker({ endpoint: 'http://x', writeKey: 'k' })
    untyped.track('anything', { a: 1 }, { userId: 'u' })
    untyped.track('other')
    untyped.for({ userId: 'u' }).track('third', { nested: { ok: true } })
    // @ts-expect-error properties are an object
    untyped.track('bad', 'not an object')
  })

  it('gives every runtime entry the same tracker type', () => {
    const browser = createBrowserTracker<Events>({ endpoint: 'http://x', writeKey: 'k' })
    expectTypeOf(browser).toEqualTypeOf<Tracker<Events>>()
  })

  it('requires endpoint and writeKey and types every option', () => {
    // @ts-expect-error writeKey is required
    createTracker<Events>({ endpoint: 'http://x' })
    // @ts-expect-error flushAt is a number
    createTracker<Events>({ endpoint: 'http://x', writeKey: 'k', flushAt: '10' })
    createTracker<Events>({
      endpoint: 'http://x',
      writeKey: 'k',
      retry: { limit: 5, delayMs: 100 },
      onError: (e) => expectTypeOf(e.code).toBeString(),
    })
  })
})
