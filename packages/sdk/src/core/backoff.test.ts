import { afterEach, describe, expect, it, vi } from 'vitest'
import { outageWait } from './backoff.js'

const retry = { limit: 3, delayMs: 500, backoffLimitMs: 30_000, maxRetryAfterMs: 60_000 }

afterEach(() => {
  vi.restoreAllMocks()
  vi.useRealTimers()
})

describe('the outage backoff', () => {
  it("waits what the service's Retry-After asks, from delayMs up to maxRetryAfterMs", () => {
    expect(outageWait(retry, Date.now(), 3000)).toBe(3000)
    expect(outageWait(retry, Date.now(), 0)).toBe(500)
    expect(outageWait(retry, Date.now(), 3_600_000)).toBe(60_000)
  })

  it('otherwise waits half the outage so far, from delayMs to backoffLimitMs, jittered', () => {
    vi.useFakeTimers({ now: 100_000 })
    const random = vi.spyOn(Math, 'random')
    const wait = (outageMs: number, jitter: number) => {
      random.mockReturnValue(jitter)
      return outageWait(retry, 100_000 - outageMs, undefined)
    }
    // Half to all of it.
    expect(wait(10_000, 0)).toBe(2500)
    expect(wait(10_000, 0.5)).toBe(3750)
    expect(wait(10_000, 1)).toBe(5000)
    // Never less than delayMs, never more than backoffLimitMs.
    expect(wait(100, 1)).toBe(500)
    expect(wait(600_000, 1)).toBe(30_000)
    expect(wait(600_000, 0)).toBe(15_000)
  })
})
