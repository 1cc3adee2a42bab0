/**
 * @module
 * A Bloom filter of every event id in `event_ids`, for a store this process alone writes to
 * (embedded chDB). Written by hand, with no dependency: each key is hashed once, allocating
 * nothing, on the path of every event. It answers "certainly not stored" for a new id without a
 * query; a
 * possible hit still goes to the lookup, so a false positive only costs that query. It never
 * answers "not stored" for a stored id: it is loaded from `event_ids` and every id is added as
 * soon as its insert succeeded. After a failed insert (which may have stored part of its rows)
 * it is not trusted until it has been loaded again.
 */
import type { DuplicateIndex, Verdict } from './duplicate-index.js'

// The two 32-bit hashes of the last key given to `hashKey` (double hashing derives the bits).
let h1 = 0
let h2 = 0

/** FNV-1a and a multiply-xorshift hash of `key`, in one pass. */
function hashKey(key: string): void {
  let a = 0x811c9dc5
  let b = 0x9747b28c
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x5bd1e995)
    b ^= b >>> 15
  }
  h1 = a
  h2 = b | 1
}

export class StoredIdFilter implements DuplicateIndex {
  private readonly bits: Int32Array
  private readonly mask: number
  private generation = 0
  private loadedGeneration = -1
  private loading: Promise<void> | undefined

  /**
   * @param load calls `add` for every stored key (see `forEachStoredKey`)
   * @param bitsLog2 log2 of the filter's size in bits: 27 is 16 MB, under 1 % false
   *   positives up to about 14 million ids. @default 27
   * @param hashes bits set per key. @default 7
   */
  constructor(
    private readonly load: (add: (key: string) => void) => Promise<void>,
    bitsLog2 = 27,
    private readonly hashes = 7,
  ) {
    this.bits = new Int32Array(2 ** (bitsLog2 - 5))
    this.mask = 2 ** bitsLog2 - 1
  }

  /** True once every stored id is in the filter (a load finished since the last doubt). */
  get complete(): boolean {
    return this.loadedGeneration === this.generation
  }

  /** Record a stored key. */
  add(key: string): void {
    hashKey(key)
    for (let i = 0; i < this.hashes; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.mask
      this.bits[bit >>> 5] = (this.bits[bit >>> 5] as number) | (1 << (bit & 31))
    }
  }

  /** False only if `key` is certainly not stored (when {@link complete}). */
  mightHave(key: string): boolean {
    hashKey(key)
    for (let i = 0; i < this.hashes; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.mask
      if (((this.bits[bit >>> 5] as number) & (1 << (bit & 31))) === 0) return false
    }
    return true
  }

  /** New when the filter is complete and certain; otherwise only a lookup can tell. */
  verdict(key: string): Verdict {
    return this.complete && !this.mightHave(key) ? 'new' : 'unsure'
  }

  /** (Re)load after a start or a failed insert, in the background. */
  prepare(): void {
    if (!this.complete) void this.refresh()
  }

  /**
   * Stop trusting the filter (an insert failed and may have stored part of its rows) until a
   * load started after this call has finished.
   */
  doubt(): void {
    this.generation++
  }

  /**
   * Load the stored ids unless complete or already loading. Resolves when this load ends;
   * a failed load leaves the filter incomplete (lookups go on) and is retried on the next call.
   */
  refresh(): Promise<void> {
    if (this.complete) return Promise.resolve()
    if (!this.loading) {
      const generation = this.generation
      this.loading = this.load((key) => this.add(key))
        .then(
          () => {
            // Ids stored while loading were added by their inserts; a doubt raised meanwhile
            // needs a load that starts after it.
            if (this.generation === generation) this.loadedGeneration = generation
          },
          (err: unknown) => {
            console.error(
              'lastseen-ingest: loading stored event ids failed; looking every id up meanwhile:',
              (err as Error).message,
            )
          },
        )
        .finally(() => {
          this.loading = undefined
        })
    }
    return this.loading
  }

  /** Wait for a load in progress (before the store is closed). */
  async settle(): Promise<void> {
    await this.loading
  }
}
