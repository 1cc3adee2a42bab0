import { describe, expect, it } from 'vitest'
import { isRetryableStatus } from './retry.js'

describe('isRetryableStatus', () => {
  it('retries timeouts, rate limits and server errors', () => {
    for (const status of [408, 429, 500, 501, 502, 503, 504, 599]) {
      expect(isRetryableStatus(status), String(status)).toBe(true)
    }
  })

  it('does not retry other refusals (413 needs a smaller request, not a later one)', () => {
    for (const status of [400, 401, 403, 404, 405, 409, 410, 413, 415, 422]) {
      expect(isRetryableStatus(status), String(status)).toBe(false)
    }
  })
})
