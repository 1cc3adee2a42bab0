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

  it('a rewrite marks a key as used, also one read and written before (as the heartbeat does)', () => {
    const lru = new Lru<number>(2)
    lru.get('a')
    lru.set('a', 1)
    lru.set('b', 2)
    lru.set('a', 3)
    lru.set('c', 4)
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual([3, undefined, 4])
  })
})

describe('Lru, against a plain list of keys in order of use', () => {
  it('keeps and forgets exactly the keys a textbook LRU does, through reads, rewrites and evictions', () => {
    const max = 50
    const lru = new Lru<number>(max)
    let order: string[] = [] // least recently used first
    const model = new Map<string, number>()
    let seed = 7
    const random = (n: number) => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0
      return seed % n
    }
    for (let step = 0; step < 10_000; step++) {
      const key = `k${random(120)}`
      if (random(3) === 0) {
        const expected = model.get(key)
        if (expected !== undefined) order = [...order.filter((k) => k !== key), key]
        expect(lru.get(key)).toBe(expected)
      } else {
        lru.set(key, step)
        model.set(key, step)
        order = [...order.filter((k) => k !== key), key]
        if (order.length > max) model.delete(order.shift() as string)
      }
      expect(lru.size).toBe(model.size)
    }
    for (const [key, value] of model) expect(lru.get(key)).toBe(value)
  })
})
