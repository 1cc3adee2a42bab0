import { describe, expect, it } from 'vitest'
import { sign, verify } from './signature.js'

const secret = 'whsec_0123456789abcdef'
const body = '{"type":"user.inactive"}'

describe('webhook signatures', () => {
  it('verifies what it signed, within the tolerance', () => {
    const ts = 1_800_000_000
    const headers = { timestamp: String(ts), signature: sign(secret, ts, body) }
    expect(verify(secret, headers, body, ts + 10)).toBe(true)
    expect(verify(secret, headers, body, ts + 301)).toBe(false)
  })

  it('refuses a changed body, another secret or a missing header', () => {
    const ts = 1_800_000_000
    const headers = { timestamp: String(ts), signature: sign(secret, ts, body) }
    expect(verify(secret, headers, `${body} `, ts)).toBe(false)
    expect(verify('another_secret_0123456', headers, body, ts)).toBe(false)
    expect(verify(secret, { timestamp: String(ts), signature: undefined }, body, ts)).toBe(false)
    expect(verify(secret, { ...headers, timestamp: String(ts + 1) }, body, ts)).toBe(false)
  })
})
