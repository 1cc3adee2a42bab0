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
})
