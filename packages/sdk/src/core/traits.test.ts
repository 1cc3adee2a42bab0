/**
 * Traits: what `identify()`, a scoped handle's `identify()` and `group()` queue, when they send
 * nothing, what they refuse locally, and that they are never activity (no heartbeat, never
 * debounced). The server is an in-process `fetch` that answers like the service.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createTracker } from '../node.js'
import type { TrackerOptions } from '../options.js'
import { type BatchRequest, LIMITS, type WireEvent } from '../wire.js'

type Events = { search: { query: string } }

function setup(options: Partial<TrackerOptions> = {}, failFirst = 0) {
  const bodies: BatchRequest[] = []
  let calls = 0
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const body = (await new Request(input, init).json()) as BatchRequest
    bodies.push(body)
    if (++calls <= failFirst) return new Response('{}', { status: 503 })
    return Response.json({ accepted: body.batch.length, duplicates: 0, rejected: [] })
  }
  const errors: { code: string; message: string }[] = []
  const tracker = createTracker<Events>({
    endpoint: 'http://ingest.test',
    writeKey: 'lsw_test',
    fetch: fetch as typeof globalThis.fetch,
    gzip: false,
    retry: { limit: 2, delayMs: 10 },
    onError: (e) => errors.push({ code: e.code, message: e.message }),
    ...options,
  })
  const sent = () => bodies.flatMap((b) => b.batch)
  const delivered = () => {
    const byId = new Map<string, WireEvent>()
    for (const e of sent()) byId.set(e.id, e)
    return [...byId.values()]
  }
  const of = (type: WireEvent['type']) => delivered().filter((e) => e.type === type)
  return { tracker, errors, sent, delivered, of, bodies }
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-03-02T10:00:00Z') })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('identify()', () => {
  it('queues an identify event with the traits, and marks the user seen as before', async () => {
    const { tracker, delivered } = setup()
    tracker.identify('u_1', { accountId: 'acme', traits: { email: 'ann@acme.io', name: 'Ann' } })
    await tracker.flush()
    const [identify, seen] = delivered()
    expect(identify).toMatchObject({
      type: 'identify',
      userId: 'u_1',
      accountId: 'acme',
      timestamp: '2026-03-02T10:00:00.000Z',
      traits: { email: 'ann@acme.io', name: 'Ann' },
    })
    expect(identify!.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(seen).toMatchObject({ type: 'seen', userId: 'u_1', accountId: 'acme' })
    expect(delivered()).toHaveLength(2)
  })

  it('sends null as it is: it removes the trait', async () => {
    const { tracker, of } = setup()
    tracker.identify('u_1', { traits: { plan: null } })
    await tracker.flush()
    expect(of('identify')).toMatchObject([{ traits: { plan: null } }])
  })

  it('without traits, sends nothing but the heartbeat, as before', async () => {
    const { tracker, delivered } = setup()
    tracker.identify('u_1')
    tracker.identify('u_1', { accountId: 'acme' })
    tracker.identify('u_2', { accountId: 'globex' })
    await tracker.flush()
    expect(delivered().map((e) => [e.type, e.userId, e.accountId])).toEqual([
      ['seen', 'u_1', undefined],
      ['seen', 'u_2', 'globex'],
    ])
  })

  it('sends the same call once per heartbeat interval, and a change at once', async () => {
    const { tracker, of } = setup()
    const ann = { email: 'ann@acme.io' }
    tracker.identify('u_1', { accountId: 'acme', traits: ann }) // a page load
    tracker.identify('u_1', { accountId: 'acme', traits: ann }) // the next page load
    tracker.identify('u_1', { accountId: 'acme' }) // without traits: nothing new, nor forgotten
    tracker.identify('u_1', { accountId: 'acme', traits: ann })
    await tracker.flush()
    expect(of('identify')).toHaveLength(1)
    tracker.identify('u_1', { accountId: 'acme', traits: { email: 'ann@acme.com' } })
    await tracker.flush()
    expect(of('identify')).toHaveLength(2)
    tracker.identify('u_1', { accountId: 'acme', traits: ann }) // back: a change again
    tracker.identify('u_1', { traits: ann }) // another account (none): a change too
    await tracker.flush()
    expect(of('identify')).toHaveLength(4)
    await vi.advanceTimersByTimeAsync(60_000) // 10:01: the same hour
    tracker.identify('u_1', { traits: ann })
    vi.setSystemTime(new Date('2026-03-02T11:00:00Z'))
    tracker.identify('u_1', { traits: ann }) // a new hour: sent again
    await tracker.flush()
    expect(of('identify').map((e) => e.timestamp?.slice(11, 13))).toEqual([
      '10',
      '10',
      '10',
      '10',
      '11',
    ])
  })

  it('is the user of later calls without a userId (per call on Node too)', async () => {
    const { tracker, of } = setup()
    tracker.identify('u_1', { traits: { name: 'Ann' } })
    tracker.track('search', { query: 'q' })
    tracker.identify('u_2', { traits: { name: 'Bob' } })
    await tracker.flush()
    expect(of('identify').map((e) => e.userId)).toEqual(['u_1', 'u_2'])
    expect(of('track').map((e) => e.userId)).toEqual(['u_1'])
  })

  it('keeps its id across retries: stored once', async () => {
    const { tracker, sent, errors } = setup({}, 1)
    tracker.identify('u_1', { traits: { name: 'Ann' } })
    const flushed = tracker.flush()
    await vi.advanceTimersByTimeAsync(1000)
    await flushed
    const identifies = sent().filter((e) => e.type === 'identify')
    expect(identifies).toHaveLength(2)
    expect(identifies[0]!.id).toBe(identifies[1]!.id)
    expect(errors).toEqual([])
  })
})

describe('scoped identify() and group()', () => {
  it('identify() on a handle sends its user and account, marks no one seen, identifies no one', async () => {
    const { tracker, of, errors } = setup()
    const ann = tracker.for({ userId: 'u_1', accountId: 'acme' })
    ann.identify({ plan: 'pro' })
    ann.identify({ plan: 'pro' }) // each call is sent: a handle keeps no state
    tracker.track('search', { query: 'q' }) // no identified user
    await tracker.flush()
    expect(of('identify')).toMatchObject([
      { userId: 'u_1', accountId: 'acme', traits: { plan: 'pro' } },
      { userId: 'u_1', accountId: 'acme', traits: { plan: 'pro' } },
    ])
    expect(of('seen')).toEqual([])
    expect(of('track')).toEqual([])
    expect(errors.map((e) => e.code)).toEqual(['invalid_event'])
  })

  it('identify and group events are not activity: the next track() still sends the heartbeat', async () => {
    const { tracker, of } = setup()
    tracker.for({ userId: 'u_1' }).identify({ name: 'Ann' })
    tracker.group('acme', { name: 'Acme Inc' })
    await tracker.flush()
    expect(of('seen')).toEqual([])
    tracker.track('search', { query: 'q' }, { userId: 'u_1', debounceMs: 800 })
    await tracker.flush()
    expect(of('seen').map((e) => e.userId)).toEqual(['u_1'])
  })

  it('group() sends the account traits, with the identified user when there is one', async () => {
    const { tracker, of } = setup()
    tracker.group('acme', { name: 'Acme Inc', mrr: 490 })
    tracker.identify('u_1')
    tracker.group('acme', { mrr: null })
    await tracker.flush()
    const groups = of('group')
    expect(groups).toEqual([
      {
        id: expect.any(String),
        type: 'group',
        accountId: 'acme',
        timestamp: '2026-03-02T10:00:00.000Z',
        traits: { name: 'Acme Inc', mrr: 490 },
      },
      {
        id: expect.any(String),
        type: 'group',
        accountId: 'acme',
        userId: 'u_1',
        timestamp: '2026-03-02T10:00:00.000Z',
        traits: { mrr: null },
      },
    ])
    expect(groups[0]!.id).not.toBe(groups[1]!.id)
  })

  it('beforeSend sees identify and group events, and may change or drop them', async () => {
    const { tracker, of } = setup({
      beforeSend: (e) =>
        e.type === 'group' ? null : e.type === 'identify' ? { ...e, traits: {} } : e,
    })
    tracker.identify('u_1', { traits: { email: 'secret' } })
    tracker.group('acme', { name: 'Acme' })
    await tracker.flush()
    expect(of('identify')).toMatchObject([{ traits: {} }])
    expect(of('group')).toEqual([])
  })
})

describe('refused locally', () => {
  const many = Object.fromEntries(
    Array.from({ length: LIMITS.maxTraitKeys + 1 }, (_, i) => [`t${i}`, i]),
  )
  const exactly = Object.fromEntries(
    Array.from({ length: LIMITS.maxTraitKeys }, (_, i) => [`t${i}`, i]),
  )
  /** An object nested `depth` levels deep (itself level 1). */
  const nest = (depth: number) => {
    let o: Record<string, unknown> = {}
    for (let i = 1; i < depth; i++) o = { v: o }
    return o
  }
  const cases: [string, unknown, RegExp][] = [
    ['an array', ['a'], /plain object/],
    ['a string', 'Ann', /plain object/],
    ['a Date', new Date(), /plain object/],
    ['null', null, /plain object/],
    ['too many traits', many, new RegExp(`${LIMITS.maxTraitKeys + 1} traits, over the limit`)],
    ['an empty trait name', { '': 1 }, /trait name of 0 characters/],
    ['a trait name too long', { ['n'.repeat(LIMITS.maxNameLength + 1)]: 1 }, /trait name of/],
    ['traits nested too deep', nest(LIMITS.maxPropertiesDepth + 1), /nested over/],
    ['an event too large', { bio: 'x'.repeat(LIMITS.maxEventBytes) }, /bytes, over the/],
  ]

  it.each(cases)('refuses %s, counted and reported, and sends the rest', async (_, traits, why) => {
    const { tracker, of, errors } = setup()
    tracker.identify('u_1', { traits: traits as Record<string, unknown> })
    tracker.for({ userId: 'u_2' }).identify(traits as Record<string, unknown>)
    tracker.group('acme', traits as Record<string, unknown>)
    tracker.group('acme', { name: 'Acme' })
    await tracker.flush()
    expect(errors).toHaveLength(3)
    for (const e of errors) {
      expect(e.code).toBe('invalid_event')
      expect(e.message).toMatch(why)
    }
    expect(tracker.getStats().rejected).toBe(3)
    expect(of('identify')).toEqual([])
    expect(of('group')).toHaveLength(1)
    expect(of('seen').map((e) => e.userId)).toEqual(['u_1']) // the user is still identified
  })

  it('accepts the limits themselves', async () => {
    const { tracker, of, errors } = setup()
    tracker.identify('u_1', { traits: exactly })
    tracker.group('acme', {
      ['n'.repeat(LIMITS.maxNameLength)]: nest(LIMITS.maxPropertiesDepth - 1),
    })
    await tracker.flush()
    expect(errors).toEqual([])
    expect(of('identify')).toHaveLength(1)
    expect(of('group')).toHaveLength(1)
  })

  it('reports a group() without an account and a scoped identify() without a user', async () => {
    const { tracker, errors, delivered } = setup()
    tracker.group('', { name: 'x' })
    tracker.for({ userId: '' }).identify({ name: 'x' })
    await tracker.flush()
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/group\(\) needs an accountId/),
      expect.stringMatching(/identify\(\) has no user/),
    ])
    expect(delivered()).toEqual([])
  })
})
