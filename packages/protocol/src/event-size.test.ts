import { describe, expect, it } from 'vitest'
import { eventBytes, utf8Length } from './event-size.js'
import { LIMITS } from './limits.js'
import type { WireTrackEvent } from './wire.js'

const event = (properties: Record<string, unknown>): WireTrackEvent => ({
  id: '0b9f6b2e-8c1e-4f55-9a3d-3f1e6d2b7c10',
  type: 'track',
  event: 'search',
  userId: 'u_1',
  properties,
})

describe('event size', () => {
  it('is the UTF-8 bytes of the event as JSON.stringify writes it', () => {
    for (const e of [event({ q: 'plain' }), event({ q: 'café ☕ 𝄞' }), event({ q: '\ud800' })]) {
      expect(eventBytes(e)).toBe(Buffer.byteLength(JSON.stringify(e), 'utf8'))
    }
  })

  it('counts UTF-8 bytes of any text', () => {
    for (const s of ['', 'abc', 'é', '€', '😀', 'a😀é€z']) {
      expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length)
    }
  })

  it('does not depend on how the client wrote the JSON', () => {
    const e = event({ q: 'A b' })
    const pretty = JSON.stringify(e, null, 2).replace('"A b"', '"\\u0041 b"')
    expect(eventBytes(JSON.parse(pretty) as WireTrackEvent)).toBe(eventBytes(e))
  })

  it('puts an event of exactly the limit within it', () => {
    const base = eventBytes(event({ pad: '' }))
    const atLimit = event({ pad: 'x'.repeat(LIMITS.maxEventBytes - base) })
    expect(eventBytes(atLimit)).toBe(LIMITS.maxEventBytes)
  })
})
