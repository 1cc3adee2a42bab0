import { describe, expect, it } from 'vitest'
import { resolveConfig } from './config.js'
import { BROWSER_DEFAULTS, SERVER_DEFAULTS } from './defaults.js'
import type { TrackerOptions } from './options.js'

const base = { endpoint: 'http://localhost:3000/', writeKey: 'lsw_k' }

describe('resolveConfig', () => {
  it('fills in the runtime defaults', () => {
    const server = resolveConfig(base, SERVER_DEFAULTS).config!
    const browser = resolveConfig(base, BROWSER_DEFAULTS).config!
    expect(server.batchUrl).toBe('http://localhost:3000/v1/batch')
    expect([server.flushAt, server.maxBatchBytes, server.debounceMs]).toEqual([100, 512_000, 500])
    expect([browser.flushAt, browser.maxBatchBytes, browser.debounceMs]).toEqual([50, 60_000, 1000])
    expect(server.heartbeatIntervalMs).toBe(3_600_000)
  })

  it('treats options set to undefined as not set', () => {
    const options = { ...base, flushAt: undefined, retry: { limit: undefined, delayMs: 7 } }
    const config = resolveConfig(options as never, SERVER_DEFAULTS).config!
    expect(config.flushAt).toBe(100)
    expect(config.retry).toEqual({
      limit: 3,
      delayMs: 7,
      backoffLimitMs: 30_000,
      maxRetryAfterMs: 60_000,
    })
  })

  it('names the option that is wrong', () => {
    const problem = (o: Partial<TrackerOptions>) =>
      resolveConfig({ ...base, ...o } as TrackerOptions, SERVER_DEFAULTS).problem
    expect(problem({ endpoint: 'ftp://x' })).toMatch(/^options.endpoint must be an http\(s\) URL/)
    expect(problem({ writeKey: ' ' })).toMatch(/^options.writeKey/)
    expect(problem({ flushAt: 0 })).toBe(
      'options.flushAt must be an integer from 1 to 1000 (got 0)',
    )
    expect(problem({ maxBatchBytes: 2_000_000 })).toMatch(/^options.maxBatchBytes/)
    expect(problem({ retry: { limit: -1 } })).toMatch(/^options.retry.limit/)
    expect(problem({ onError: 'x' as never })).toBe('options.onError must be a function')
    expect(resolveConfig(null as never, SERVER_DEFAULTS).problem).toMatch(/options object/)
  })
})
