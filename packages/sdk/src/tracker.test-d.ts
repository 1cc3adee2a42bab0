import { describe, expectTypeOf, it } from 'vitest'
import { createTracker as createBrowserTracker } from './browser.js'
import type { AnyTraits, TrackerStats } from './index.js'
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

  it('keeps createTracker<Events> code compiling: any traits without a trait map', () => {
    expectTypeOf(tracker).toEqualTypeOf<Tracker<Events, AnyTraits>>()
    tracker.identify('u_1', { accountId: 'acme', traits: { anything: { nested: [1] } } })
    tracker.for({ userId: 'u_1' }).identify({ whatever: 1 })
    tracker.group('acme', { seats: 3 })
    // @ts-expect-error traits are an object
    tracker.group('acme', 'Acme')
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

type Traits = {
  user: { email: string; name: string; plan: 'free' | 'pro' }
  account: { name: string; mrr: number }
}

describe('typed traits', () => {
  const typed = createTracker<Events, Traits>({ endpoint: 'http://x', writeKey: 'k' })

  it('accepts declared traits, any subset of them, and null to remove one', () => {
    typed.identify('u_1', { accountId: 'acme', traits: { email: 'ann@acme.io', name: 'Ann' } })
    typed.identify('u_1', { traits: { plan: 'pro' } })
    typed.identify('u_1', { traits: { name: null } })
    typed.identify('u_1')
    typed.for({ userId: 'u_1', accountId: 'acme' }).identify({ plan: 'pro' })
    typed.for({ userId: 'u_1' }).identify({ email: null })
    typed.group('acme', { name: 'Acme Inc', mrr: 490 })
    typed.group('acme', { mrr: null })
    typed.track('search', { query: 'q' }, { userId: 'u_1' })
    expectTypeOf(typed.for({ userId: 'u_1' })).toEqualTypeOf<ScopedTracker<Events, Traits>>()
    expectTypeOf(createBrowserTracker<Events, Traits>).returns.toEqualTypeOf<
      Tracker<Events, Traits>
    >()
  })

  it('rejects unknown traits and wrong value types at compile time', () => {
    // @ts-expect-error misspelt user trait
    typed.identify('u_1', { traits: { emial: 'ann@acme.io' } })
    // @ts-expect-error wrong value type
    typed.identify('u_1', { traits: { name: 1 } })
    // @ts-expect-error value outside the union
    typed.identify('u_1', { traits: { plan: 'enterprise' } })
    // @ts-expect-error an account trait is not a user trait
    typed.for({ userId: 'u_1' }).identify({ mrr: 490 })
    // @ts-expect-error wrong value type on the scoped handle
    typed.for({ userId: 'u_1' }).identify({ plan: 1 })
    // @ts-expect-error misspelt account trait
    typed.group('acme', { nmae: 'Acme' })
    // @ts-expect-error mrr is a number
    typed.group('acme', { mrr: '490' })
    // @ts-expect-error a user trait is not an account trait
    typed.group('acme', { email: 'ann@acme.io' })
    // @ts-expect-error group needs traits
    typed.group('acme')
    // @ts-expect-error undefined is not a removal: null is
    typed.identify('u_1', { traits: { name: undefined } })
  })

  it('types only the side a trait map declares', () => {
    const users = createTracker<Events, { user: { email: string } }>({
      endpoint: 'http://x',
      writeKey: 'k',
    })
    users.identify('u_1', { traits: { email: 'a@b.c' } })
    users.group('acme', { anything: true })
    // @ts-expect-error misspelt user trait
    users.identify('u_1', { traits: { emial: 'a@b.c' } })
    // @ts-expect-error the trait map is { user?, account? }
    createTracker<Events, { users: { email: string } }>({ endpoint: 'http://x', writeKey: 'k' })
  })
})
