/**
 * @module
 * Per-key rate limit: a token bucket per write key, refilled at `rate` events per second and
 * holding at most two seconds' worth, so short bursts pass and a runaway client is slowed down
 * with 429 and `Retry-After`. Only keys that resolved to a project get a bucket, so memory is
 * bounded by the number of keys.
 */
import { RateLimited } from '../errors.js'

/** A token bucket: `tokens` left at time `at` (ms). */
export interface Bucket {
  tokens: number
  at: number
}

/** Bring `bucket` to time `now`: `rate` tokens a second come back, up to `capacity`. */
export function refill(bucket: Bucket, now: number, rate: number, capacity: number): void {
  bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * rate)
  bucket.at = now
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>()
  private readonly capacity: number

  /** @param rate events per second per key; 0 turns the limit off. */
  constructor(
    private readonly rate: number,
    private readonly now: () => number = Date.now,
  ) {
    this.capacity = rate * 2
  }

  /** Take `events` tokens for `key`, or throw `RateLimited` saying when enough will be there. */
  take(key: string, events: number): void {
    if (this.rate === 0 || events === 0) return
    const now = this.now()
    const bucket = this.buckets.get(key) ?? { tokens: this.capacity, at: now }
    refill(bucket, now, this.rate, this.capacity)
    this.buckets.set(key, bucket)
    if (bucket.tokens >= events) {
      bucket.tokens -= events
      return
    }
    const seconds = Math.max(1, Math.ceil((events - bucket.tokens) / this.rate))
    throw new RateLimited(
      `rate limit of ${this.rate} events per second for this key exceeded; retry in ${seconds} s`,
      seconds * 1000,
    )
  }
}
