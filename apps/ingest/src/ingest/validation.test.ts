import { LIMITS } from '@lastseen/protocol'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { describeIssue } from '../errors.js'
import {
  batchEnvelopeSchema,
  checkWireEvent,
  nestedDeeperThan,
  trackEnvelopeSchema,
  wireEventSchema,
} from './validation.js'

afterEach(() => {
  vi.restoreAllMocks()
})

/** What zod alone answers: the reference `checkWireEvent` must agree with. */
function byZod(raw: unknown) {
  const parsed = wireEventSchema.safeParse(raw)
  return parsed.success ? { event: parsed.data } : { reason: describeIssue(parsed.error) }
}

const base = {
  id: '0b8f6a3e-3c1d-4e5f-8a9b-0c1d2e3f4a5b',
  type: 'track',
  event: 'search',
  userId: 'u_1',
}

const variants: Record<string, unknown>[] = [
  {},
  { accountId: 'a_1' },
  { accountId: '' },
  { accountId: 'x'.repeat(201) },
  { accountId: null },
  { accountId: 'a' },
  { accountId: 'a'.repeat(LIMITS.maxNameLength) },
  { accountId: 'a\ud800' },
  { accountId: 'a\ud83d\ude00' },
  { timestamp: '2026-11-23T10:00:00.123Z' },
  { timestamp: '2026-11-23T10:00:00+02:00' },
  { timestamp: '2026-11-23T10:00:00' },
  { timestamp: '2026-02-30T10:00:00Z' },
  { timestamp: '2024-02-29T10:00:00Z' },
  { timestamp: 1700000000000 },
  { properties: { query: 'q', nested: { a: [1, 2] }, 1: 'one' } },
  { properties: [] },
  { properties: null },
  { properties: 'text' },
  { properties: JSON.parse('{"__proto__":{"x":1},"a":1}') },
  { count: 3 },
  { count: 0 },
  { count: 1.5 },
  { count: 1_000_001 },
  { count: '2' },
  { count: 1 },
  { count: LIMITS.maxCount },
  { extra: 'dropped' },
  { id: 'not-a-uuid' },
  { id: '0B8F6A3E-3C1D-4E5F-8A9B-0C1D2E3F4A5B' },
  { id: '0b8f6a3e-3c1d-0e5f-8a9b-0c1d2e3f4a5b' },
  { id: 42 },
  // Not strings, though a regular expression would read them as such.
  { id: ['0b8f6a3e-3c1d-4e5f-8a9b-0c1d2e3f4a5b'] },
  { userId: ['u_1'] },
  { timestamp: ['2026-11-23T10:00:00Z'] },
  { type: 'seen', timestamp: ['2026-11-23T10:00:00Z'] },
  { event: '' },
  { event: 'e'.repeat(200) },
  { event: 'e'.repeat(201) },
  { event: undefined },
  { event: 'e' },
  { event: '\udc00e' },
  { event: 'e\ud83d\ude00' },
  { userId: '' },
  { userId: 'u' },
  { userId: 'u'.repeat(LIMITS.maxNameLength) },
  { userId: 'u'.repeat(201) },
  { userId: 7 },
  { userId: 'u\ud800' },
  { userId: 'u\ud83d\ude00' },
  { type: 'seen' },
  { type: 'seen', accountId: 'a', timestamp: '2026-11-23T10:00:00Z', event: 'dropped' },
  { type: 'seen', properties: { dropped: true }, count: 2 },
  { type: 'seen', accountId: 7 },
  { type: 'seen', timestamp: 'yesterday' },
  { type: 'identify' },
  { type: undefined },
  { type: 'identify', traits: { email: 'ann@acme.io', plan: null } },
  { type: 'identify', traits: {}, accountId: 'a_1', timestamp: '2026-11-23T10:00:00Z' },
  { type: 'identify', traits: [] },
  { type: 'identify', traits: null },
  { type: 'identify', traits: { a: 1 }, userId: '' },
  { type: 'identify', traits: { a: 1 }, event: 'dropped', properties: { dropped: 1 } },
  { type: 'group', traits: { name: 'Acme', mrr: 490 }, accountId: 'acme' },
  { type: 'group', traits: { name: 'Acme' }, accountId: 'acme', userId: undefined },
  { type: 'group', traits: { name: 'Acme' } },
  { type: 'group', traits: { name: 'Acme' }, accountId: '' },
  { type: 'group', traits: 'Acme', accountId: 'acme' },
  { type: 'page' },
]

describe('checkWireEvent', () => {
  it('answers exactly as the zod schema for every kind of field', () => {
    for (const variant of variants) {
      const raw = { ...base, ...variant }
      // Strictly: a field set to undefined is not a field left out.
      expect(checkWireEvent(raw), JSON.stringify(variant)).toStrictEqual(byZod(raw))
      const checked = checkWireEvent(raw)
      if ('event' in checked) {
        // Stored as text: the same JSON as zod's output, properties included.
        expect(JSON.stringify(checked.event)).toBe(JSON.stringify(byZod(raw).event))
      }
    }
  })

  it('answers exactly as the zod schema for events that are not objects', () => {
    for (const raw of [
      null,
      undefined,
      1,
      'event',
      [],
      [base],
      true,
      new Date(),
      { ...base, properties: new Date() },
    ]) {
      expect(checkWireEvent(raw)).toEqual(byZod(raw))
    }
  })
})

describe('the fast path', () => {
  it('checks every valid event without zod, and leaves only doubtful ones to it', () => {
    const parse = vi.spyOn(wireEventSchema, 'safeParse')
    for (const variant of variants) {
      const raw: Record<string, unknown> = { ...base, ...variant }
      parse.mockClear()
      const checked = checkWireEvent(raw)
      // zod is asked only for events it refuses, for properties with an own `__proto__` key,
      // and for identify and group events (rare: traits change seldom), which the fast path
      // leaves to it on purpose.
      const doubtful =
        'reason' in checked ||
        Object.hasOwn(Object(raw.properties), '__proto__') ||
        raw.type === 'identify' ||
        raw.type === 'group'
      expect(parse.mock.calls.length, JSON.stringify(variant)).toBe(doubtful ? 1 : 0)
    }
  })
})

describe('the wire schemas', () => {
  const reasons: [Record<string, unknown>, string][] = [
    [{ id: 'not-a-uuid' }, 'id: id must be a UUID'],
    [{ type: 'alias' }, "type: type must be 'track', 'seen', 'identify' or 'group'"],
    [{ event: '' }, 'event: event must not be empty'],
    [{ event: 'e'.repeat(201) }, 'event: event is over 200 characters'],
    [
      { event: 'e\ud800' },
      'event: event is not well-formed UTF-16 (it holds a lone surrogate such as \\ud800)',
    ],
    [{ userId: '' }, 'userId: userId must not be empty'],
    [{ userId: 'u'.repeat(201) }, 'userId: userId is over 200 characters'],
    [
      { userId: 'u\ud800' },
      'userId: userId is not well-formed UTF-16 (it holds a lone surrogate such as \\ud800)',
    ],
    [{ accountId: 'a'.repeat(201) }, 'accountId: accountId is over 200 characters'],
    [
      { accountId: '\udfff' },
      'accountId: accountId is not well-formed UTF-16 (it holds a lone surrogate such as \\ud800)',
    ],
    [{ timestamp: 'yesterday' }, 'timestamp: timestamp must be ISO 8601'],
  ]

  it('names each refused field with its own message', () => {
    for (const [variant, reason] of reasons) {
      expect(checkWireEvent({ ...base, ...variant })).toEqual({ reason })
    }
  })

  it('takes both kinds of event as sent, with a time zone offset or none', () => {
    const track = {
      ...base,
      accountId: 'a_1',
      timestamp: '2026-11-23T10:00:00+02:00',
      properties: { q: 1 },
      count: 2,
    }
    expect(wireEventSchema.parse(track)).toStrictEqual(track)
    const seen = { id: base.id, type: 'seen', userId: 'u_1', timestamp: '2026-11-23T10:00:00Z' }
    expect(wireEventSchema.parse(seen)).toStrictEqual(seen)
  })

  it('checks the batch envelope, keeping every field it knows', () => {
    const envelope = {
      sentAt: '2026-11-23T10:00:00Z',
      batch: [1, 2],
      writeKey: 'lsw_x',
      dropped: 3,
      library: { name: 'n'.repeat(100), version: 'v'.repeat(50) },
    }
    expect(batchEnvelopeSchema.parse(envelope)).toStrictEqual(envelope)
    expect(batchEnvelopeSchema.parse({ ...envelope, dropped: 0 }).dropped).toBe(0)
    const refused = (change: Record<string, unknown>) => {
      const parsed = batchEnvelopeSchema.safeParse({ ...envelope, ...change })
      return parsed.success ? undefined : describeIssue(parsed.error)
    }
    expect(refused({ batch: [] })).toBe('batch: batch is empty')
    expect(refused({ dropped: -1 })).toMatch(/^dropped: /)
    expect(refused({ library: { name: 'n'.repeat(101), version: '1' } })).toMatch(
      /^library\.name: /,
    )
    expect(refused({ library: { name: 'n', version: 'v'.repeat(51) } })).toMatch(
      /^library\.version: /,
    )
    expect(refused({ sentAt: 'now' })).toBe('sentAt: timestamp must be ISO 8601')
  })

  it('checks the envelope of a single event, keeping its key and time', () => {
    const envelope = { writeKey: 'lsw_x', sentAt: '2026-11-23T10:00:00Z' }
    expect(trackEnvelopeSchema.parse({ ...envelope, event: 'dropped' })).toStrictEqual(envelope)
    expect(trackEnvelopeSchema.safeParse({ sentAt: 'now' }).success).toBe(false)
  })
})

describe('nestedDeeperThan', () => {
  it('counts the levels of objects and arrays, not the values in them', () => {
    expect(nestedDeeperThan({ a: 1, b: 'x', c: null }, 1)).toBe(false)
    expect(nestedDeeperThan([1, null, 'x'], 1)).toBe(false)
    expect(nestedDeeperThan({ a: { b: 1 } }, 1)).toBe(true)
    expect(nestedDeeperThan({ a: [[1]] }, 3)).toBe(false)
    expect(nestedDeeperThan({ a: [[1]] }, 2)).toBe(true)
    expect(nestedDeeperThan({ a: 1, b: [{}] }, 2)).toBe(true)
    expect(nestedDeeperThan('text', 0)).toBe(false)
    expect(nestedDeeperThan(null, 0)).toBe(false)
    expect(nestedDeeperThan({}, 0)).toBe(true)
  })
})
