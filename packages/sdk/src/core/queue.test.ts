import { describe, expect, it } from 'vitest'
import { createQueue } from './queue.js'

const item = (id: string, bytes = 10) => ({ id, json: `"${id}"`, bytes })

describe('EventQueue', () => {
  it('drops the oldest events beyond its bound and says how many', () => {
    const q = createQueue(3)
    expect([q.push(item('a')), q.push(item('b')), q.push(item('c'))]).toEqual([0, 0, 0])
    expect(q.push(item('d'))).toBe(1)
    expect(q.snapshot().map((i) => i.id)).toEqual(['b', 'c', 'd'])
    expect(q.unshift([item('x'), item('y')])).toBe(2)
    expect(q.snapshot().map((i) => i.id)).toEqual(['b', 'c', 'd'])
    expect(q.bytes).toBe(30)
  })

  it('also drops the oldest events beyond its byte bound', () => {
    const q = createQueue(100, 250)
    expect([q.push(item('a', 100)), q.push(item('b', 100)), q.push(item('c', 100))]).toEqual([
      0, 0, 1,
    ])
    expect(q.snapshot().map((i) => i.id)).toEqual(['b', 'c'])
    expect(q.unshift([item('x', 100)])).toBe(1)
    expect(q.snapshot().map((i) => i.id)).toEqual(['b', 'c'])
    expect(q.push(item('big', 240))).toBe(2)
    expect(q.snapshot().map((i) => i.id)).toEqual(['big'])
    expect(q.bytes).toBe(240)
  })

  it('takes batches bounded by count and bytes, always at least one event', () => {
    const q = createQueue(100)
    for (let i = 0; i < 10; i++) q.push(item(`e${i}`, 100))
    expect(q.take(4, 10_000).map((i) => i.id)).toEqual(['e0', 'e1', 'e2', 'e3'])
    expect(q.take(100, 250)).toHaveLength(2)
    expect(q.take(100, 1)).toHaveLength(1)
    expect(q.length).toBe(3)
    expect(q.bytes).toBe(300)
  })

  it('stays correct across many drops (head compaction)', () => {
    const q = createQueue(10)
    for (let i = 0; i < 5000; i++) q.push(item(String(i), 1))
    expect(q.length).toBe(10)
    expect(q.snapshot()[0]!.id).toBe('4990')
    expect(q.bytes).toBe(10)
  })

  it('drops by bytes only past its byte bound, not at it', () => {
    const q = createQueue(100, 200)
    expect([q.push(item('a', 100)), q.push(item('b', 100))]).toEqual([0, 0])
    expect(q.push(item('c', 1))).toBe(1)
  })

  it('counts a comma between events when it fills a batch up to maxBytes', () => {
    const q = createQueue(100)
    for (let i = 0; i < 4; i++) q.push(item(`e${i}`, 100))
    // Two events take 100 + 1 + 100 + 1 bytes.
    expect(q.take(100, 201)).toHaveLength(1)
    expect(q.take(100, 202)).toHaveLength(2)
  })

  it('reclaims the memory of taken events once they are all taken, or over half and many', () => {
    const q = createQueue(10_000)
    for (let i = 0; i < 10; i++) q.push(item(`e${i}`))
    q.take(3, 10_000)
    // A few taken: kept until it pays to copy the rest.
    expect(q.retained).toBe(10)
    q.take(7, 10_000)
    expect(q.retained).toBe(0)

    for (let i = 0; i < 2050; i++) q.push(item(`f${i}`))
    q.take(1024, Number.POSITIVE_INFINITY)
    expect(q.retained).toBe(2050)
    // Over 1024 taken, but not more than half: still kept.
    q.take(1, Number.POSITIVE_INFINITY)
    expect(q.retained).toBe(2050)
    q.take(1, Number.POSITIVE_INFINITY)
    expect(q.retained).toBe(2050 - 1026)
    expect(q.snapshot()[0]!.id).toBe('f1026')
    expect(q.length).toBe(2050 - 1026)

    // Over half, but only 1024 taken: still kept.
    const r = createQueue(10_000)
    for (let i = 0; i < 2047; i++) r.push(item(`g${i}`))
    r.take(1024, Number.POSITIVE_INFINITY)
    expect(r.retained).toBe(2047)
  })

  it('keeps its memory bounded however many events it drops', () => {
    const q = createQueue(10)
    for (let i = 0; i < 5000; i++) q.push(item(String(i), 1))
    expect(q.retained).toBeLessThanOrEqual(2 * 1025)
  })
})
