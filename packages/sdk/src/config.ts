/**
 * @module
 * Options → resolved configuration: fill in the runtime's defaults, then check every value.
 * A bad value yields one message naming the option, never an exception.
 */

import { LIMITS, type WireEvent } from '@lastseen/protocol'
import { COMMON_DEFAULTS, type RuntimeDefaults } from './defaults.js'
import type { LastseenError } from './errors.js'
import type { TrackerOptions } from './options.js'

/** Every option with its value decided. */
export interface Config {
  batchUrl: string
  writeKey: string
  flushAt: number
  debounceMs: number
  maxWaitMs: number
  maxBatchBytes: number
  maxQueueSize: number
  maxQueueBytes: number
  heartbeatIntervalMs: number
  heartbeatCacheSize: number
  timeoutMs: number
  retry: { limit: number; delayMs: number; backoffLimitMs: number; maxRetryAfterMs: number }
  gzip: boolean
  persist: boolean
  fetch?: typeof fetch | undefined
  beforeSend?: ((event: WireEvent) => WireEvent | null | undefined) | undefined
  onError?: ((error: LastseenError) => void) | undefined
  disabled: boolean
  debug: boolean
}

const DAY = 86_400_000
/** Integer options and their allowed range. */
const RANGES: Record<string, [min: number, max: number]> = {
  flushAt: [1, LIMITS.maxBatchEvents],
  debounceMs: [0, DAY],
  maxWaitMs: [0, DAY],
  maxBatchBytes: [1024, LIMITS.maxRequestBytes],
  maxQueueSize: [1, 1e7],
  maxQueueBytes: [LIMITS.maxEventBytes, 1e12],
  heartbeatIntervalMs: [1000, 30 * DAY],
  heartbeatCacheSize: [1, 1e8],
  timeoutMs: [1, 2_147_483_647],
  'retry.limit': [0, 100],
  'retry.delayMs': [0, DAY],
  'retry.backoffLimitMs': [0, DAY],
  'retry.maxRetryAfterMs': [0, DAY],
}

/** `object` without its `undefined` values, so that they do not hide defaults. */
const defined = (object: object) =>
  Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined))

/** Resolve `options` against `defaults`; returns the config, or the first problem found. */
export function resolveConfig(
  options: TrackerOptions,
  defaults: RuntimeDefaults,
): { config: Config; problem?: undefined } | { config?: undefined; problem: string } {
  if (typeof options !== 'object' || options === null) {
    return { problem: 'createTracker() needs an options object with endpoint and writeKey' }
  }
  const o = options
  let url: URL | undefined
  try {
    url = new URL(o.endpoint)
  } catch {}
  if (!/^https?:$/.test(url?.protocol ?? '')) {
    return {
      problem: `options.endpoint must be an http(s) URL such as 'http://localhost:3000' (got ${JSON.stringify(o.endpoint)})`,
    }
  }
  if (typeof o.writeKey !== 'string' || o.writeKey.trim() === '') {
    return { problem: "options.writeKey must be the project's write key (lsw_…)" }
  }
  const config = {
    ...COMMON_DEFAULTS,
    ...defaults,
    ...defined(o),
    batchUrl: `${url?.href.replace(/\/+$/, '')}/v1/batch`,
    writeKey: o.writeKey.trim(),
    retry: { ...COMMON_DEFAULTS.retry, ...defined(o.retry ?? {}) },
  } as Config
  for (const [name, [min, max]] of Object.entries(RANGES)) {
    const [a, b] = name.split('.') as [keyof Config, string?]
    const value = b ? (config[a] as Record<string, unknown>)[b] : config[a]
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
