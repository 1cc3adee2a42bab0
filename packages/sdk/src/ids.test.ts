import { describe, expect, it } from 'vitest'
import { heartbeatId, randomId } from './ids.js'

/** RFC 9562: version nibble 1–8, variant bits 10xx (what the service's `z.uuid()` requires). */
const RFC_9562 = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('event ids', () => {
  it('random ids are distinct RFC 9562 v4 UUIDs', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => randomId()))
    expect(ids.size).toBe(1000)
    for (const id of ids) expect(id).toMatch(RFC_9562)
  })

  it('a heartbeat id is a v8 UUID fixed by (user, bucket)', () => {
    const id = heartbeatId('u_1', 493_000)
    expect(id).toMatch(RFC_9562)
    expect(id[14]).toBe('8')
    expect(heartbeatId('u_1', 493_000)).toBe(id)
    expect(heartbeatId('u_1', 493_001)).not.toBe(id)
    expect(heartbeatId('u_2', 493_000)).not.toBe(id)
  })

  it('heartbeat ids of 100k users in one hour do not collide', () => {
    const ids = new Set<string>()
    for (let i = 0; i < 100_000; i++) ids.add(heartbeatId(`user_${i}`, 493_000))
    expect(ids.size).toBe(100_000)
    for (const u of ['', 'é', '😀', 'a'.repeat(200)]) expect(heartbeatId(u, 1)).toMatch(RFC_9562)
  })
})
