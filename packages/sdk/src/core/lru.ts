/**
 * @module
 * A bounded map that forgets the least recently used key first: the Node heartbeat memory,
 * which must stay bounded however many distinct users a process sees.
 */

export class Lru<V> {
  #map = new Map<string, V>()
  /**
   * One live iterator over the keys, kept between evictions: it stands on the oldest key, so
   * each eviction is O(1) amortised. (A fresh `keys().next()` per eviction would walk over every
   * slot freed since the map last compacted itself: quadratic past `max` distinct users.)
   */
  #oldest: Iterator<string> | undefined
  /** The key of the latest `get()`: already last in order if present, so `set()` may write it in place. */
  #read: string | undefined

  constructor(readonly max: number) {}

  get size(): number {
    return this.#map.size
  }

  get(key: string): V | undefined {
    const value = this.#map.get(key)
    this.#read = key
    if (value !== undefined) {
      // Map keeps insertion order: re-inserting marks the key as most recently used.
      this.#map.delete(key)
      this.#map.set(key, value)
    }
    return value
  }

  set(key: string, value: V): void {
    // A key just read is last already, or absent (then appended): no need to move it first.
    if (key !== this.#read) this.#map.delete(key)
    this.#read = undefined
    this.#map.set(key, value)
    if (this.#map.size > this.max) {
      // Every key before the iterator was evicted or moved to the end: it stands on the oldest.
      this.#oldest ??= this.#map.keys()
      const oldest = this.#oldest.next()
      if (!oldest.done) this.#map.delete(oldest.value)
    }
  }
}
