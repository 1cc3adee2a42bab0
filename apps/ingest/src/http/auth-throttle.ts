/**
 * @module
 * Failed authentication, throttled per client address, so keys and dashboard sessions cannot be
 * guessed at network speed. Each address has a token bucket that failures drain: a burst of
 * `burst` wrong credentials, then `rate` a second. A credential holds a token while it is being
 * checked and gives it back if it works, so concurrent guesses are all counted, and successes
 * cost nothing. While an address's bucket is empty its attempts are answered 429 with
 * `Retry-After` before the credential is looked at, so a guess made then tells nothing.
 *
 * A credential that already worked from an address keeps working from it while the address is
 * throttled: clients sharing an address (a NAT, a proxy) with someone guessing are not slowed.
 * Memory is bounded: at most `maxAddresses` addresses are kept (the least recently seen are
 * forgotten first), each with at most {@link KNOWN_PER_ADDRESS} credential digests.
 */

import { RateLimited } from '../errors.js'
import { type Bucket, refill } from '../ingest/rate-limit.js'

/** Credentials remembered per address as having worked from it. */
const KNOWN_PER_ADDRESS = 8

interface Entry extends Bucket {
  /** Digests of credentials that worked from this address, oldest first. */
  known: string[]
}

export interface AuthThrottleOptions {
  /** Failures a second an address may keep up. @default 20 */
  rate?: number
  /** Failures an address may make at once. @default 20 */
  burst?: number
  /** Most addresses remembered. @default 10000 */
  maxAddresses?: number
  now?: () => number
}

export class AuthThrottle {
  private readonly entries = new Map<string, Entry>()
  private readonly rate: number
  private readonly burst: number
  private readonly maxAddresses: number
  private readonly now: () => number

  constructor(options: AuthThrottleOptions = {}) {
    this.rate = options.rate ?? 20
    this.burst = options.burst ?? 20
    this.maxAddresses = options.maxAddresses ?? 10_000
    this.now = options.now ?? Date.now
  }

  /**
   * Before checking `credential` (a digest) from `address`; call the function it returns with
   * the outcome. A credential that already worked from the address passes freely. Any other
   * takes a token up front, given back if it works, so that guesses checked concurrently are
   * all counted before their answers come; with no token left, 429 before anything is checked.
   */
  admit(address: string, credential: string): (worked: boolean) => void {
    const entry = this.touch(address)
    refill(entry, this.now(), this.rate, this.burst)
    if (entry.known.includes(credential)) {
      return (worked) => {
        if (worked) return
        // It stopped working (revoked, signed out): from now on it counts like any other.
        entry.known = entry.known.filter((k) => k !== credential)
        entry.tokens = Math.max(0, entry.tokens - 1)
      }
    }
    if (entry.tokens < 1) {
      const seconds = Math.max(1, Math.ceil((1 - entry.tokens) / this.rate))
      throw new RateLimited(
        `too many failed authentication attempts from this address; retry in ${seconds} s`,
        seconds * 1000,
      )
    }
    entry.tokens -= 1
    return (worked) => {
      if (!worked) return
      entry.tokens = Math.min(this.burst, entry.tokens + 1)
      if (entry.known.includes(credential)) return
      entry.known.push(credential)
      if (entry.known.length > KNOWN_PER_ADDRESS) entry.known.shift()
    }
  }

  /** Addresses remembered now. */
  get size(): number {
    return this.entries.size
  }

  /** The entry of `address`, created if new, moved to the most recently seen end. */
  private touch(address: string): Entry {
    const entry = this.entries.get(address) ?? { tokens: this.burst, at: this.now(), known: [] }
    this.entries.delete(address)
    this.entries.set(address, entry)
    if (this.entries.size > this.maxAddresses) {
      const oldest = this.entries.keys().next().value
      if (oldest !== undefined) this.entries.delete(oldest)
    }
    return entry
  }
}
