import { describe, expect, it } from 'vitest'
import { RateLimited } from '../errors.js'
import { answerOf } from '../http/errors.js'
import { RateLimiter } from './rate-limit.js'

describe('RateLimiter', () => {
  it('lets a burst of two seconds through, then answers 429 with Retry-After', () => {
    let now = 0
    const limiter = new RateLimiter(100, () => now)
    limiter.take('k', 150)
    limiter.take('k', 50)
    let error: unknown
    try {
      limiter.take('k', 100)
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(RateLimited)
    expect(answerOf(error as RateLimited)).toMatchObject({
      status: 429,
      code: 'rate_limited',
      headers: { 'Retry-After': '1' },
    })
    // Other keys have their own bucket.
    limiter.take('other', 200)
    now += 1000
    limiter.take('k', 100)
  })

  it('is off at rate 0', () => {
    const limiter = new RateLimiter(0)
    for (let i = 0; i < 10; i++) limiter.take('k', 1_000_000)
  })
})
