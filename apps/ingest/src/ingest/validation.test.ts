import { describe, expect, it } from 'vitest'
import { describeIssue } from '../errors.js'
import { checkWireEvent, wireEventSchema } from './validation.js'

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
      expect(checkWireEvent(raw), JSON.stringify(variant)).toEqual(byZod(raw))
      const checked = checkWireEvent(raw)
      if ('event' in checked) {
        // Stored as text: the same JSON as zod's output, properties included.
        expect(JSON.stringify(checked.event)).toBe(JSON.stringify(byZod(raw).event))
      }
    }
  })

  it('answers exactly as the zod schema for events that are not objects', () => {
    for (const raw of [null, 1, 'event', [], [base], true]) {
      expect(checkWireEvent(raw)).toEqual(byZod(raw))
    }
  })
})
