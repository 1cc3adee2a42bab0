import { describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import {
  batchEnvelopeSchema,
  checkWireEvent,
  describeIssue,
  nestedDeeperThan,
  trackEnvelopeSchema,
  wellFormed,
  wireEventSchema,
} from './validation.js'

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
  { extra: 'dropped' },
  { id: 'not-a-uuid' },
  { id: '0B8F6A3E-3C1D-4E5F-8A9B-0C1D2E3F4A5B' },
  { id: '0b8f6a3e-3c1d-0e5f-8a9b-0c1d2e3f4a5b' },
  { id: 42 },
  { event: '' },
  { event: 'e'.repeat(200) },
  { event: 'e'.repeat(201) },
  { event: undefined },
  { userId: '' },
  { userId: 'u'.repeat(201) },
  { userId: 7 },
  { type: 'seen' },
  { type: 'seen', accountId: 'a', timestamp: '2026-11-23T10:00:00Z', event: 'dropped' },
  { type: 'identify' },
  // The bounds themselves.
  { userId: 'u' },
  { userId: 'u'.repeat(200) },
  { accountId: 'a'.repeat(200) },
  { event: 'e' },
  { count: 1 },
  { count: 1_000_000 },
  { type: undefined },
]

describe('checkWireEvent', () => {
  it('answers exactly as the zod schema for every kind of field', () => {
    for (const variant of variants) {
      const raw = { ...base, ...variant }
      expect(checkWireEvent(raw), JSON.stringify(variant)).toEqual(byZod(raw))
      const checked = checkWireEvent(raw)
      if ('event' in checked) {
        // Stored as text: the same JSON as zod's output, properties included.
        expect(JSON.stringify(checked.event)).toBe(JSON.stringify(byZod(raw).event))
      }
    }
  })

  it('checks the usual event without zod, which it leaves to name the problems', () => {
    const parse = vi.spyOn(wireEventSchema, 'safeParse')
    try {
      for (const variant of variants) {
        const raw = { ...base, ...variant }
        const valid = 'event' in byZod(raw)
        parse.mockClear()
        checkWireEvent(raw)
        // An own `__proto__` key is left to zod, which knows how to copy it safely.
        const usual = valid && !JSON.stringify(variant).includes('__proto__')
        expect(parse.mock.calls.length, JSON.stringify(variant)).toBe(usual ? 0 : 1)
      }
    } finally {
      parse.mockRestore()
    }
  })

  it('answers exactly as the zod schema for events that are not objects', () => {
    for (const raw of [null, 1, 'event', [], [base], true]) {
      expect(checkWireEvent(raw)).toEqual(byZod(raw))
    }
  })
})

describe('the reasons a rejected event is given', () => {
  const surrogate = 'is not well-formed UTF-16 (it holds a lone surrogate such as \\ud800)'
  const reasons: [Record<string, unknown>, string][] = [
    [{ accountId: 'x'.repeat(201) }, 'accountId: accountId is over 200 characters'],
    [{ accountId: '\ud800' }, `accountId: accountId ${surrogate}`],
    [{ timestamp: '2026-11-23T10:00:00' }, 'timestamp: timestamp must be ISO 8601'],
    [{ id: 'not-a-uuid' }, 'id: id must be a UUID'],
    [{ event: '' }, 'event: event must not be empty'],
    [{ event: 'e'.repeat(201) }, 'event: event is over 200 characters'],
    [{ event: 'a\udc00' }, `event: event ${surrogate}`],
    [{ userId: '' }, 'userId: userId must not be empty'],
    [{ userId: 'u'.repeat(201) }, 'userId: userId is over 200 characters'],
    [{ userId: '\ud800x' }, `userId: userId ${surrogate}`],
    [{ type: 'identify' }, "type: type must be 'track' or 'seen'"],
  ]

  it.each(reasons)('%j: %s', (variant, reason) => {
    expect(checkWireEvent({ ...base, ...variant })).toEqual({ reason })
  })

  it('names the envelope field at fault', () => {
    const reason = (schema: z.ZodType, value: unknown) => {
      const parsed = schema.safeParse(value)
      return parsed.success ? 'valid' : describeIssue(parsed.error)
    }
    const sentAt = '2026-11-23T10:00:00Z'
    expect(reason(batchEnvelopeSchema, { sentAt: 'x', batch: [1] })).toBe(
      'sentAt: timestamp must be ISO 8601',
    )
    expect(reason(batchEnvelopeSchema, { sentAt, batch: [] })).toBe('batch: batch is empty')
    expect(reason(batchEnvelopeSchema, { sentAt, batch: [1], dropped: 2 })).toBe('valid')
    expect(reason(trackEnvelopeSchema, { sentAt: 'x' })).toBe('sentAt: timestamp must be ISO 8601')
    expect(reason(trackEnvelopeSchema, {})).toBe('valid')
    const library = (name: string, version: string) =>
      reason(batchEnvelopeSchema, { sentAt, batch: [1], library: { name, version } })
    expect(library('@lastseen/sdk', '1.0.0')).toBe('valid')
    expect(library('n'.repeat(101), '1')).toMatch(/^library\.name: /)
    expect(library('n', 'v'.repeat(51))).toMatch(/^library\.version: /)
    expect(describeIssue(new z.ZodError([]))).toBe('invalid')
  })
})

describe('events as stored', () => {
  it('keep the fields of their type, and lose unknown ones', () => {
    const full = {
      ...base,
      accountId: 'acme',
      timestamp: '2026-11-23T10:00:00Z',
      properties: { q: 'x' },
      count: 2,
      extra: 1,
    }
    const { extra: _, ...kept } = full
    expect(checkWireEvent(full)).toStrictEqual({ event: kept })
    expect(checkWireEvent({ ...full, type: 'seen' })).toStrictEqual({
      event: {
        id: base.id,
        type: 'seen',
        userId: 'u_1',
        accountId: 'acme',
        timestamp: '2026-11-23T10:00:00Z',
      },
    })
    expect(checkWireEvent(base)).toStrictEqual({ event: base })
    // A time with an offset is ISO 8601 too.
    const offset = { ...base, timestamp: '2026-11-23T10:00:00+02:00' }
    expect(checkWireEvent(offset)).toStrictEqual({ event: offset })
    expect(checkWireEvent({ ...base, type: 'seen' })).toStrictEqual({
      event: { id: base.id, type: 'seen', userId: 'u_1' },
    })
  })

  it('are well-formed text: paired surrogates are, lone ones are not', () => {
    expect(wellFormed('emoji \ud83d\ude00')).toBe(true)
    expect(wellFormed('\ud83d')).toBe(false)
    expect(wellFormed('\ude00')).toBe(false)
  })
})

describe('nestedDeeperThan', () => {
  it('counts objects and arrays inside each other, the value itself as level 1', () => {
    expect(nestedDeeperThan('text', 0)).toBe(false)
    expect(nestedDeeperThan(null, 0)).toBe(false)
    expect(nestedDeeperThan({}, 0)).toBe(true)
    expect(nestedDeeperThan({ a: [{}] }, 3)).toBe(false)
    expect(nestedDeeperThan({ a: [{}] }, 2)).toBe(true)
    expect(nestedDeeperThan({ a: 1, b: 'x', c: null, d: [1, [2]] }, 3)).toBe(false)
    expect(nestedDeeperThan({ a: 1, b: 'x', c: null, d: [1, [2]] }, 2)).toBe(true)
  })
})
