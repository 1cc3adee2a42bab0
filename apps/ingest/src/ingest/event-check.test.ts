import { LIMITS } from '@lastseen/protocol'
import { describe, expect, it } from 'vitest'
import { checkEvent, checkEvents } from './event-check.js'

const track = (extra: Record<string, unknown> = {}) => ({
  id: '0b8f6a3e-3c1d-4e5f-8a9b-0c1d2e3f4a5b',
  type: 'track',
  event: 'search',
  userId: 'u_1',
  accountId: 'acme',
  ...extra,
})

/**
 * A track event whose stored size is `bytes`: 200 fixed bytes, its properties as JSON
 * (`{"p":"…"}`, 8 bytes around the text), `u_1`, `acme` and `search`.
 */
const ofSize = (bytes: number) =>
  track({ properties: { p: 'x'.repeat(bytes - 200 - 8 - 3 - 4 - 6) } })

/** Objects nested `levels` deep, the outermost included. */
const nested = (levels: number): Record<string, unknown> => {
  let value: Record<string, unknown> = {}
  for (let i = 1; i < levels; i++) value = { a: value }
  return value
}

describe('checkEvent', () => {
  it('keeps an event of exactly 32 KB as stored, and refuses one byte more, saying so', () => {
    const max = LIMITS.maxEventBytes
    const atLimit = checkEvent(ofSize(max))
    expect(atLimit).toEqual({
      event: ofSize(max),
      properties: `{"p":"${'x'.repeat(max - 221)}"}`,
    })
    expect(checkEvent(ofSize(max + 1))).toEqual({
      reason: `event is ${max + 1} bytes; the limit is ${max} bytes (32 KB) per event`,
      tooLarge: true,
    })
    // Bytes, not characters: é is two, so 16,300 of them are over the limit.
    const accents = track({ properties: { p: 'é'.repeat(16_300) } })
    expect(checkEvent(accents)).toMatchObject({ tooLarge: true })
  })

  it('counts the user, the account and the event name, but no field it drops', () => {
    const max = LIMITS.maxEventBytes
    const long = (n: number) => 'x'.repeat(n)
    // 200 fixed + 8 around the properties' text + 200 + 200 + 200.
    const sized = (text: number, extra: Record<string, unknown> = {}) =>
      track({
        userId: long(200),
        accountId: long(200),
        event: long(200),
        properties: { p: long(text) },
        ...extra,
      })
    const fits = max - 808
    expect(checkEvent(sized(fits))).toHaveProperty('event')
    expect(checkEvent(sized(fits + 1))).toMatchObject({ tooLarge: true })
    expect(checkEvent(sized(fits, { unknown: long(max) }))).toHaveProperty('event')
    // Without an account, its bytes are free for the rest.
    expect(checkEvent(sized(fits + 200, { accountId: undefined }))).toHaveProperty('event')
    expect(checkEvent(sized(fits + 201, { accountId: undefined }))).toMatchObject({
      tooLarge: true,
    })
  })

  it('refuses properties nested deeper than the limit, before serializing them', () => {
    const depth = LIMITS.maxPropertiesDepth
    expect(checkEvent(track({ properties: nested(depth) }))).toHaveProperty('event')
    expect(checkEvent(track({ properties: nested(depth + 1) }))).toEqual({
      reason: `properties: nested deeper than ${depth} levels (objects and arrays inside each other)`,
    })
    // Deep enough to overflow JSON.stringify.
    expect(checkEvent(track({ properties: nested(100_000) }))).toHaveProperty('reason')
  })

  it('stores no properties text for a seen event or a track event without properties', () => {
    const seen = { ...track(), type: 'seen', event: undefined }
    expect(checkEvent(seen)).toEqual({
      event: {
        id: seen.id,
        type: 'seen',
        userId: 'u_1',
        accountId: 'acme',
      },
      properties: '',
    })
    expect(checkEvent(track())).toEqual({ event: track(), properties: '' })
  })

  it("names a schema problem as the schema's first issue", () => {
    expect(checkEvent(track({ userId: '' }))).toEqual({
      reason: 'userId: userId must not be empty',
    })
  })
})

describe('checkEvent of identify and group', () => {
  const identify = (traits: unknown, extra: Record<string, unknown> = {}) => ({
    id: '0b8f6a3e-3c1d-4e5f-8a9b-0c1d2e3f4a5b',
    type: 'identify',
    userId: 'u_1',
    traits,
    ...extra,
  })
  const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))

  it('keeps traits as they are, and stores no properties text', () => {
    const traits = { email: 'ann@acme.io', plan: null, seats: [1, { a: 2 }] }
    expect(checkEvent(identify(traits))).toEqual({ event: identify(traits), properties: '' })
    const group = { ...identify({ name: 'Acme' }), type: 'group', accountId: 'acme' }
    expect(checkEvent(group)).toHaveProperty('event', group)
  })

  it('refuses traits that are not a JSON object, and a group without an account', () => {
    for (const bad of [null, [], 'text', 1, undefined]) {
      expect(checkEvent(identify(bad)), JSON.stringify(bad)).toEqual({
        reason: expect.stringMatching(/^traits: /),
      })
    }
    expect(checkEvent({ ...identify({}), type: 'group' })).toEqual({
      reason: expect.stringMatching(/^accountId: /),
    })
  })

  it(`allows ${LIMITS.maxTraitKeys} keys of 1 to ${LIMITS.maxNameLength} characters, and names every other key`, () => {
    expect(checkEvent(identify(keys(LIMITS.maxTraitKeys)))).toHaveProperty('event')
    expect(checkEvent(identify(keys(LIMITS.maxTraitKeys + 1)))).toEqual({
      reason: `traits: ${LIMITS.maxTraitKeys + 1} keys; the limit is ${LIMITS.maxTraitKeys} keys per event`,
    })
    const long = 'k'.repeat(LIMITS.maxNameLength)
    expect(checkEvent(identify({ [long]: 1 }))).toHaveProperty('event')
    expect(checkEvent(identify({ [`${long}k`]: 1 }))).toMatchObject({
      reason: expect.stringContaining(`every key must be 1 to ${LIMITS.maxNameLength} characters`),
    })
    expect(checkEvent(identify({ '': 1 }))).toMatchObject({
      reason: expect.stringContaining('every key must be'),
    })
    expect(checkEvent(identify({ 'a\ud800': 1 }))).toMatchObject({
      reason: expect.stringContaining('not well-formed UTF-16'),
    })
    expect(checkEvent(identify(JSON.parse('{"__proto__":{"x":1},"a":1}')))).toEqual({
      reason: 'traits: the key __proto__ is not allowed',
    })
  })

  it('limits the depth and the size of traits like properties', () => {
    const depth = LIMITS.maxPropertiesDepth
    expect(checkEvent(identify({ a: nested(depth - 1) }))).toHaveProperty('event')
    expect(checkEvent(identify({ a: nested(depth) }))).toEqual({
      reason: `traits: nested deeper than ${depth} levels (objects and arrays inside each other)`,
    })
    // 200 fixed, `u_1`, and `{"p":"…"}` (8 bytes around the text).
    const fits = LIMITS.maxEventBytes - 200 - 3 - 8
    expect(checkEvent(identify({ p: 'x'.repeat(fits) }))).toHaveProperty('event')
    expect(checkEvent(identify({ p: 'x'.repeat(fits + 1) }))).toMatchObject({ tooLarge: true })
  })
})

describe('checkEvents', () => {
  it('splits a batch into the storable and the refused, each with its position', () => {
    const batch = [track(), track({ id: 'x' }), { ...track(), properties: { q: 1 } }, 7]
    const { valid, rejected } = checkEvents(batch)
    expect(valid.map((v) => [v.index, v.properties])).toEqual([
      [0, ''],
      [2, '{"q":1}'],
    ])
    expect(rejected).toEqual([
      { index: 1, reason: 'id: id must be a UUID' },
      { index: 3, reason: expect.any(String) },
    ])
  })
})
