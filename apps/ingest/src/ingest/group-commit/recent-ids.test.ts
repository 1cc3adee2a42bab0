import { describe, expect, it } from 'vitest'
import { RecentIds } from './recent-ids.js'

describe('RecentIds', () => {
  it('remembers at least `capacity` ids and never more than twice that', () => {
    const ids = new RecentIds(3)
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) ids.add(id)
    // The current generation holds g; the previous one d, e and f.
    expect(ids.size).toBe(4)
    for (const id of ['e', 'f', 'g', 'd']) expect(ids.has(id)).toBe(true)
    expect(ids.has('a')).toBe(false)
  })

  it('says "stored" for an id it holds and "unsure" for any other, whatever failed', () => {
    const ids = new RecentIds(2)
    ids.add('default a')
    ids.doubt()
    ids.prepare()
    expect(ids.verdict('default a')).toBe('stored')
    expect(ids.verdict('default b')).toBe('unsure')
    // Still held one generation back.
    ids.add('default b')
    ids.add('default c')
    expect(ids.verdict('default a')).toBe('stored')
  })
})
