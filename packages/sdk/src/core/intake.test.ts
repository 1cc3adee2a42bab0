/**
 * The `track()` path's quick serialization: the same text as `JSON.stringify`, byte for byte,
 * for every event it covers, and '' (the general way) for what it does not.
 */
import type { WireEvent } from '@lastseen/protocol'
import { describe, expect, it } from 'vitest'
import { quickJson } from './intake.js'

const id = '0b6c5a1e-2f0e-4d1b-9a77-3c5e8f1d2a40'
const timestamp = '2026-03-02T10:00:00.000Z'
const awkward = ['u_1', 'é', '😀', '"quoted"', 'back\\slash', 'line\nbreak', '\u0000\u001f', '\ud800']

describe('quickJson', () => {
  it('writes what JSON.stringify writes for track and seen events', () => {
    const events: WireEvent[] = []
    for (const text of awkward) {
      events.push({ id, type: 'seen', userId: text, timestamp })
      events.push({ id, type: 'seen', userId: 'u', accountId: text, timestamp })
      events.push({ id, type: 'track', event: text, userId: text, timestamp })
      events.push({
        id,
        type: 'track',
        event: 'search',
        userId: 'u',
        accountId: text,
        timestamp,
        properties: { [text]: text, n: 1.5, list: [1, null, { deep: true }], gone: undefined },
      })
    }
    events.push({ id, type: 'track', event: 'e', userId: 'u', timestamp, properties: {} })
    for (const event of events) expect(quickJson(event)).toBe(JSON.stringify(event))
  })

  it('leaves to JSON.stringify what it does not cover', () => {
    const odd = (extra: object) => ({ id, type: 'track', event: 'e', userId: 'u', ...extra })
    expect(quickJson(odd({ accountId: 7, timestamp }) as WireEvent)).toBe('')
    const unsendable = { toJSON: () => undefined }
    expect(quickJson(odd({ timestamp, properties: unsendable }) as WireEvent)).toBe('')
    expect(quickJson({ id, type: 'identify', userId: 'u', timestamp, traits: {} })).toBe('')
    expect(quickJson({ id, type: 'group', accountId: 'a', timestamp, traits: {} })).toBe('')
  })

  it('throws as JSON.stringify does, so an unserializable event is refused the same way', () => {
    const event = { id, type: 'track', event: 'e', userId: 'u', timestamp, properties: { n: 1n } }
    expect(() => quickJson(event as unknown as WireEvent)).toThrow(TypeError)
  })
})
