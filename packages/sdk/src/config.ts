/**
 * @module
 * Options → resolved configuration: fill in the runtime's defaults, then check every value.
 * A bad value yields one message naming the option, never an exception.
 */
import { COMMON_DEFAULTS, type RuntimeDefaults } from './defaults.js'
import type { LastseenError } from './errors.js'
import type { TrackerOptions } from './options.js'
import { LIMITS, type WireEvent } from './wire.js'

/** Every option with its value decided. */
export interface Config {
  batchUrl: string
  writeKey: string
  flushAt: number
  debounceMs: number
  maxWaitMs: number
  maxBatchBytes: number
  maxQueueSize: number
  heartbeatIntervalMs: number
  heartbeatCacheSize: number
  timeoutMs: number
  retry: { limit: number; delayMs: number; backoffLimitMs: number; maxRetryAfterMs: number }
  gzip: boolean
  persist: boolean
  fetch: typeof fetch | undefined
  beforeSend: ((event: WireEvent) => WireEvent | null | undefined) | undefined
  onError: ((error: LastseenError) => void) | undefined
  disabled: boolean
  debug: boolean
}

type Check = [name: string, value: unknown, min: number, max: number]

/** Resolve `options` against `defaults`; returns the config, or the first problem found. */
export function resolveConfig(
  options: TrackerOptions,
  defaults: RuntimeDefaults,
): { config: Config; problem?: undefined } | { config?: undefined; problem: string } {
  if (typeof options !== 'object' || options === null) {
    return { problem: 'createTracker() needs an options object with endpoint and writeKey' }
  }
  const o = options
  let url: URL
  try {
    url = new URL(o.endpoint)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http')
  } catch {
    return {
      problem: `options.endpoint must be an http(s) URL such as 'http://localhost:3000' (got ${JSON.stringify(o.endpoint)})`,
    }
  }
  if (typeof o.writeKey !== 'string' || o.writeKey.trim() === '') {
    return { problem: "options.writeKey must be the project's write key (lsw_…)" }
  }
  const r = o.retry ?? {}
  const d = COMMON_DEFAULTS.retry
  const config: Config = {
    batchUrl: `${url.href.replace(/\/+$/, '')}/v1/batch`,
    writeKey: o.writeKey.trim(),
    flushAt: o.flushAt ?? defaults.flushAt,
    debounceMs: o.debounceMs ?? defaults.debounceMs,
    maxWaitMs: o.maxWaitMs ?? COMMON_DEFAULTS.maxWaitMs,
    maxBatchBytes: o.maxBatchBytes ?? defaults.maxBatchBytes,
    maxQueueSize: o.maxQueueSize ?? defaults.maxQueueSize,
    heartbeatIntervalMs: o.heartbeatIntervalMs ?? COMMON_DEFAULTS.heartbeatIntervalMs,
    heartbeatCacheSize: o.heartbeatCacheSize ?? COMMON_DEFAULTS.heartbeatCacheSize,
    timeoutMs: o.timeoutMs ?? COMMON_DEFAULTS.timeoutMs,
    retry: {
      limit: r.limit ?? d.limit,
      delayMs: r.delayMs ?? d.delayMs,
      backoffLimitMs: r.backoffLimitMs ?? d.backoffLimitMs,
      maxRetryAfterMs: r.maxRetryAfterMs ?? d.maxRetryAfterMs,
    },
    gzip: o.gzip ?? true,
    persist: o.persist ?? true,
    fetch: o.fetch,
    beforeSend: o.beforeSend,
    onError: o.onError,
    disabled: o.disabled ?? false,
    debug: o.debug ?? false,
  }
  const day = 86_400_000
  const checks: Check[] = [
    ['flushAt', config.flushAt, 1, LIMITS.maxBatchEvents],
    ['debounceMs', config.debounceMs, 0, day],
    ['maxWaitMs', config.maxWaitMs, 0, day],
    ['maxBatchBytes', config.maxBatchBytes, 1024, LIMITS.maxRequestBytes],
    ['maxQueueSize', config.maxQueueSize, 1, 10_000_000],
    ['heartbeatIntervalMs', config.heartbeatIntervalMs, 1000, 30 * day],
    ['heartbeatCacheSize', config.heartbeatCacheSize, 1, 100_000_000],
    ['timeoutMs', config.timeoutMs, 1, 2_147_483_647],
    ['retry.limit', config.retry.limit, 0, 100],
    ['retry.delayMs', config.retry.delayMs, 0, day],
    ['retry.backoffLimitMs', config.retry.backoffLimitMs, 0, day],
    ['retry.maxRetryAfterMs', config.retry.maxRetryAfterMs, 0, day],
  ]
  for (const [name, value, min, max] of checks) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      return {
        problem: `options.${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`,
      }
    }
  }
  for (const name of ['fetch', 'beforeSend', 'onError'] as const) {
    if (o[name] !== undefined && typeof o[name] !== 'function') {
      return { problem: `options.${name} must be a function` }
    }
  }
  return { config }
}
