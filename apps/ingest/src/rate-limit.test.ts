import { describe, expect, it } from 'vitest'
import { ApiError } from './http-error.js'
import { RateLimiter } from './rate-limit.js'

/** The error `take` throws, or undefined when it lets the events through. */
function refusal(limiter: RateLimiter, key: string, events: number): unknown {
  try {
    limiter.take(key, events)
    return undefined
  } catch (err) {
    return err
  }
}

describe('RateLimiter', () => {
  it('lets a burst of two seconds through, then answers 429 with Retry-After', () => {
    let now = 0
    const limiter = new RateLimiter(100, () => now)
    expect(refusal(limiter, 'k', 150)).toBeUndefined()
    expect(refusal(limiter, 'k', 50)).toBeUndefined()
    const error = refusal(limiter, 'k', 100)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({
      status: 429,
      code: 'rate_limited',
      headers: { 'Retry-After': '1' },
    })
    // Retry-After says when enough tokens are back: 150 events at 100 a second, 2 s.
    expect(refusal(limiter, 'k', 150)).toMatchObject({ headers: { 'Retry-After': '2' } })
    // Other keys have their own bucket.
    expect(refusal(limiter, 'other', 200)).toBeUndefined()
    expect(refusal(limiter, 'other', 1)).toBeInstanceOf(ApiError)
    // A second gives back a second's worth, no more.
    now += 1000
    expect(refusal(limiter, 'k', 100)).toBeUndefined()
    expect(refusal(limiter, 'k', 1)).toBeInstanceOf(ApiError)
    // However long a key was quiet, it holds two seconds' worth at most.
    now += 60_000
    expect(refusal(limiter, 'k', 200)).toBeUndefined()
    expect(refusal(limiter, 'k', 1)).toBeInstanceOf(ApiError)
  })

  it('is off at rate 0', () => {
    const limiter = new RateLimiter(0)
    for (let i = 0; i < 10; i++) expect(refusal(limiter, 'k', 1_000_000)).toBeUndefined()
  })
})
