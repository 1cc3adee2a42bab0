/**
 * @module
 * Default option values per runtime, and the SDK's own name and version sent with each batch.
 */
import { LIMITS } from '@lastseen/protocol'

/** Options whose default depends on the runtime. */
export interface RuntimeDefaults {
  flushAt: number
  debounceMs: number
  maxBatchBytes: number
  maxQueueSize: number
  maxQueueBytes: number
}

/**
 * Node.js and fetch-based edge runtimes: one process, many users. The queue holds 50 s of a
 * busy server's 2,000 events/s, so that a restart or an outage of the service (backoff
 * included) loses nothing; the byte bound keeps memory bounded for events larger than usual.
 */
export const SERVER_DEFAULTS: RuntimeDefaults = {
  flushAt: 100,
  debounceMs: 500,
  maxBatchBytes: 512_000,
  maxQueueSize: 100_000,
  maxQueueBytes: 64_000_000,
}

/**
 * Browsers: one user, a batch must fit `keepalive` / `sendBeacon` (64 KB), and the queue must
 * fit `localStorage` (about 5 MB per origin) to survive a reload.
 */
export const BROWSER_DEFAULTS: RuntimeDefaults = {
  flushAt: 50,
  debounceMs: 1000,
  maxBatchBytes: LIMITS.maxBeaconBytes,
  maxQueueSize: 1000,
  maxQueueBytes: 2_000_000,
}

/**
 * Defaults shared by every runtime (`flushTimeoutMs` is the `timeoutMs` of `flush()` and
 * `shutdown()`). The docs' option tables and the options' TSDoc are checked against these.
 */
export const COMMON_DEFAULTS = {
  maxWaitMs: 5000,
  heartbeatIntervalMs: 3_600_000,
  heartbeatCacheSize: 100_000,
  timeoutMs: 10_000,
  flushTimeoutMs: 10_000,
  retry: { limit: 3, delayMs: 500, backoffLimitMs: 30_000, maxRetryAfterMs: 60_000 },
  gzip: true,
  persist: true,
  disabled: false,
  debug: false,
} as const

/** Replaced with the package version by the build. */
declare const __LASTSEEN_VERSION__: string | undefined

/** Sent as `library` with every batch. */
export const LIBRARY = {
  name: '@lastseen/sdk',
  version: typeof __LASTSEEN_VERSION__ === 'string' ? __LASTSEEN_VERSION__ : '0.0.0',
} as const
