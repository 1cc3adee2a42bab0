import { describe, expect, it } from 'vitest'
import { StoredIdFilter } from './stored-id-filter.js'

const key = (n: number) => `default ${crypto.randomUUID()}-${n}`

describe('StoredIdFilter', () => {
  it('never says "not stored" for an added key, and rarely "maybe" for another', async () => {
    const filter = new StoredIdFilter(async () => {}, 20)
    const added = Array.from({ length: 50_000 }, (_, n) => key(n))
    for (const k of added) filter.add(k)
    expect(added.every((k) => filter.mightHave(k))).toBe(true)
    const others = Array.from({ length: 50_000 }, (_, n) => key(n))
    const falsePositives = others.filter((k) => filter.mightHave(k)).length
    // 50,000 keys in 2^20 bits with 7 hashes: about 0.1 % false positives.
    expect(falsePositives).toBeLessThan(500)
  })

  it('is complete only after a load, and again only after a load started after a doubt', async () => {
    const stored = ['default a', 'default b']
    let release: (() => void) | undefined
    let loads = 0
    const filter = new StoredIdFilter(async (add) => {
      loads++
      if (loads === 2) await new Promise<void>((resolve) => (release = resolve))
      for (const k of stored) add(k)
    }, 16)
    expect(filter.complete).toBe(false)
    await filter.refresh()
    expect(filter.complete).toBe(true)
    expect(filter.mightHave('default a')).toBe(true)

    // A failed insert may have stored rows the filter does not know yet.
    filter.doubt()
    expect(filter.complete).toBe(false)
    stored.push('default c')
    const second = filter.refresh()
    // Another doubt while that load runs: the running load may have read too early.
    filter.doubt()
    release?.()
    await second
    expect(filter.complete).toBe(false)
    await filter.refresh()
    expect(filter.complete).toBe(true)
    expect(filter.mightHave('default c')).toBe(true)
    expect(loads).toBe(3)
  })

  it('stays incomplete when loading fails, and loads on the next refresh', async () => {
    let fail = true
    const filter = new StoredIdFilter(async (add) => {
      if (fail) throw new Error('storage is down')
      add('default a')
    }, 16)
    const logs: string[] = []
    const logged = console.error
    console.error = (...args: unknown[]) => void logs.push(args.join(' '))
    try {
      await filter.refresh()
    } finally {
      console.error = logged
    }
    expect(logs).toEqual([
      'lastseen-ingest: loading stored event ids failed; looking every id up meanwhile: storage is down',
    ])
    expect(filter.complete).toBe(false)
    fail = false
    await filter.refresh()
    expect(filter.complete).toBe(true)
    expect(filter.mightHave('default a')).toBe(true)
  })

  it('is not complete before its first load, even after a doubt', () => {
    const filter = new StoredIdFilter(async () => {}, 16)
    filter.doubt()
    expect(filter.complete).toBe(false)
  })

  it('loads once however many ask at once, and not again while complete', async () => {
    let loads = 0
    const filter = new StoredIdFilter(async (add) => {
      loads++
      await new Promise((resolve) => setTimeout(resolve, 20))
      add('default a')
    }, 16)
    await Promise.all([filter.refresh(), filter.refresh(), filter.refresh()])
    expect(loads).toBe(1)
    await filter.refresh()
    expect(loads).toBe(1)
    // settle() waits for a load in progress.
    filter.doubt()
    void filter.refresh()
    await filter.settle()
    expect(filter.complete).toBe(true)
    expect(loads).toBe(2)
  })

  it('says "not stored" for keys it was never given', () => {
    const filter = new StoredIdFilter(async () => {}, 20)
    filter.add('default a')
    expect(filter.mightHave('default a')).toBe(true)
    for (const other of ['default b', 'other a', '', 'default a ']) {
      expect(filter.mightHave(other), other).toBe(false)
    }
  })

  it('answers "new" only when loaded and certain, "unsure" otherwise', async () => {
    const filter = new StoredIdFilter(async (add) => add('default a'), 16)
    // Not loaded yet: even a key it never saw is looked up.
    expect(filter.verdict('default b')).toBe('unsure')
    filter.prepare()
    await filter.settle()
    expect(filter.complete).toBe(true)
    expect(filter.verdict('default b')).toBe('new')
    expect(filter.verdict('default a')).toBe('unsure')
    // After a failed insert, until loaded again.
    filter.doubt()
    expect(filter.verdict('default b')).toBe('unsure')
    filter.prepare()
    await filter.settle()
    expect(filter.verdict('default b')).toBe('new')
  })

  it('sets the bits it reads: its false positives are those of 7 hashes', () => {
    // 200,000 keys in 2^20 bits with 7 hashes: (1 - e^(-7 * 200,000 / 2^20))^7, about 11.8 %.
    const filter = new StoredIdFilter(async () => {}, 20)
    for (let n = 0; n < 200_000; n++) filter.add(key(n))
    const others = Array.from({ length: 20_000 }, (_, n) => key(n))
    const rate = others.filter((k) => filter.mightHave(k)).length / others.length
    expect(rate).toBeGreaterThan(0.1)
    expect(rate).toBeLessThan(0.14)
  })

  it('takes 16 MB by default', () => {
    const before = process.memoryUsage().arrayBuffers
    const filter = new StoredIdFilter(async () => {})
    expect(process.memoryUsage().arrayBuffers - before).toBe(16 * 2 ** 20)
    expect(filter.complete).toBe(false)
  })
})
