import { describe, expect, it } from 'vitest'
import { Lru } from './lru.js'

describe('Lru', () => {
  it('never holds more than its bound, however many keys pass through', () => {
    const lru = new Lru<number>(1000)
    for (let i = 0; i < 1_000_000; i++) lru.set(`user_${i}`, i)
    expect(lru.size).toBe(1000)
    expect(lru.get('user_999999')).toBe(999_999)
    expect(lru.get('user_0')).toBeUndefined()
  })

  it('forgets the least recently used key first', () => {
    const lru = new Lru<number>(2)
    lru.set('a', 1)
    lru.set('b', 2)
    lru.get('a')
    lru.set('c', 3)
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual([1, undefined, 3])
  })
})
