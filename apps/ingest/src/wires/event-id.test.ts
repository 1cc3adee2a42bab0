import { describe, expect, it } from 'vitest'
import { nameBasedEventId } from './event-id.js'

const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('nameBasedEventId', () => {
  it('is the same UUID for the same message, so a retry is a duplicate', () => {
    const id = nameBasedEventId('segment', 'p1', 'node-next-1795-fef1')
    expect(id).toMatch(UUID_V5)
    expect(nameBasedEventId('segment', 'p1', 'node-next-1795-fef1')).toBe(id)
  })

  it('is another event in another project, on another wire, or for another message', () => {
    const id = nameBasedEventId('segment', 'p1', 'm')
    expect(nameBasedEventId('segment', 'p2', 'm')).not.toBe(id)
    expect(nameBasedEventId('posthog', 'p1', 'm')).not.toBe(id)
    expect(nameBasedEventId('segment', 'p1', 'm2')).not.toBe(id)
    // The separator keeps the parts apart: moving a character between them changes the id.
    expect(nameBasedEventId('segment', 'p1m', '')).not.toBe(nameBasedEventId('segment', 'p1', 'm'))
  })
})
