/**
 * @module
 * The ids this process stored lately, in bounded memory: two generations of sets; when the
 * current one is full the older one is dropped. A resent batch or beacon is then answered as
 * duplicate without asking the store. Forgetting an id only costs a lookup in `event_ids`.
 */
import type { DuplicateIndex, Verdict } from './duplicate-index.js'

export class RecentIds implements DuplicateIndex {
  private current = new Set<string>()
  private previous = new Set<string>()

  /** @param capacity ids kept at least; at most twice as many are held. @default 200_000 */
  constructor(private readonly capacity = 200_000) {}

  has(key: string): boolean {
    return this.current.has(key) || this.previous.has(key)
  }

  /** Stored when stored lately; otherwise only a lookup can tell. */
  verdict(key: string): Verdict {
    return this.has(key) ? 'stored' : 'unsure'
  }

  add(key: string): void {
    if (this.current.size >= this.capacity) {
      this.previous = this.current
      this.current = new Set()
    }
    this.current.add(key)
  }

  /** Lately stored ids stay stored, whatever failed since. */
  doubt(): void {}

  prepare(): void {}

  async settle(): Promise<void> {}

  /** How many ids are held now. */
  get size(): number {
    return this.current.size + this.previous.size
  }
}
