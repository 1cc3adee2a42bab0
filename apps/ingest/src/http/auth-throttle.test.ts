import { describe, expect, it } from 'vitest'
import { RateLimited } from '../errors.js'
import { AuthThrottle } from './auth-throttle.js'
import { addressKey } from './client-address.js'
import { answerOf } from './errors.js'

function refusal(run: () => unknown): unknown {
  try {
    run()
  } catch (err) {
    return err
  }
  return undefined
}

/** One attempt with `credential` from `address`, with its outcome. */
const attempt = (throttle: AuthThrottle, address: string, credential: string, worked: boolean) =>
  throttle.admit(address, credential)(worked)

describe('AuthThrottle', () => {
  it('lets a burst of failures through, then refuses with 429 and Retry-After until tokens come back', () => {
    let now = 0
    const throttle = new AuthThrottle({ rate: 20, burst: 20, now: () => now })
    for (let i = 0; i < 20; i++) attempt(throttle, 'a', `wrong${i}`, false)
    const error = refusal(() => throttle.admit('a', 'wrong20'))
    expect(error).toBeInstanceOf(RateLimited)
    expect(answerOf(error as RateLimited)).toMatchObject({
      status: 429,
      code: 'rate_limited',
      headers: { 'Retry-After': '1' },
    })
    // Refused attempts cost nothing more; 50 ms later one more guess may be looked at.
    now += 50
    attempt(throttle, 'a', 'wrong21', false)
    expect(refusal(() => throttle.admit('a', 'wrong22'))).toBeInstanceOf(RateLimited)
    // Other addresses have their own budget.
    attempt(throttle, 'b', 'wrong', false)
    now += 1000
    throttle.admit('a', 'wrong23')
  })

  it('counts guesses still being checked, and gives the token back to one that works', () => {
    const throttle = new AuthThrottle({ burst: 3, now: () => 0 })
    const pending = [1, 2, 3].map((i) => throttle.admit('a', `guess${i}`))
    // Three checks under way: a fourth is refused before any answer came.
    expect(refusal(() => throttle.admit('a', 'guess4'))).toBeInstanceOf(RateLimited)
    pending[0]?.(true)
    throttle.admit('a', 'guess5')(false)
    for (const settle of pending.slice(1)) settle(false)
    expect(refusal(() => throttle.admit('a', 'guess6'))).toBeInstanceOf(RateLimited)
  })

  it('never refuses a credential that already worked from the address, until it stops working', () => {
    const throttle = new AuthThrottle({ now: () => 0 })
    attempt(throttle, 'a', 'good', true)
    for (let i = 0; i < 100; i++) {
      try {
        attempt(throttle, 'a', `wrong${i}`, false)
      } catch {}
    }
    expect(refusal(() => throttle.admit('a', 'new'))).toBeInstanceOf(RateLimited)
    for (let i = 0; i < 100; i++) attempt(throttle, 'a', 'good', true)
    // …from that address only.
    for (let i = 0; i < 20; i++) attempt(throttle, 'b', `wrong${i}`, false)
    expect(refusal(() => throttle.admit('b', 'good'))).toBeInstanceOf(RateLimited)
    // Revoked: it counts like any other credential again.
    attempt(throttle, 'a', 'good', false)
    expect(refusal(() => throttle.admit('a', 'good'))).toBeInstanceOf(RateLimited)
  })

  it('keeps at most maxAddresses addresses, forgetting the least recently seen', () => {
    const throttle = new AuthThrottle({ maxAddresses: 1000, now: () => 0 })
    const fail = (address: string) => {
      try {
        attempt(throttle, address, 'wrong', false)
      } catch {}
    }
    for (let i = 0; i < 100; i++) fail('busy')
    for (let i = 0; i < 5000; i++) {
      fail(`10.0.${i >> 8}.${i & 255}`)
      if (i % 100 === 0) fail('busy')
    }
    expect(throttle.size).toBe(1000)
    // Seen recently, so still remembered (and still out of budget).
    expect(refusal(() => throttle.admit('busy', 'x'))).toBeInstanceOf(RateLimited)
    // Forgotten: a fresh budget.
    throttle.admit('10.0.0.0', 'x')
  })
})

describe('addressKey', () => {
  it('counts IPv4 as it is, mapped IPv6 as its IPv4, and IPv6 by its /64', () => {
    expect(addressKey('127.0.0.1')).toBe('127.0.0.1')
    expect(addressKey('::ffff:10.1.2.3')).toBe('10.1.2.3')
    expect(addressKey('2001:db8:1:2:a:b:c:d')).toBe('2001:db8:1:2::/64')
    expect(addressKey('2001:DB8:1:2::9')).toBe('2001:db8:1:2::/64')
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64')
    expect(addressKey('::1')).toBe('0:0:0:0::/64')
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64')
  })
})
