/**
 * @module
 * Options of `createTracker()`. Defaults differ per runtime where the runtime calls for it
 * (a browser batch must fit the 64 KB that `keepalive` and `sendBeacon` allow); each option's
 * TSDoc gives them, and `defaults.ts` holds them.
 */

import type { WireEvent } from '@lastseen/protocol'
import type { LastseenError } from './errors.js'

/**
 * When and how often a failed send is tried again (network errors, timeouts, 408, 429, 5xx).
 *
 * Each request first gets `limit` quick retries, for a blip. If they all fail, the service is
 * taken to be down until it answers again: the events stay queued (never given up; only a full
 * queue drops the oldest), and each further try is one request, after a wait of about half as
 * long as the outage has lasted so far (from `delayMs` up to `backoffLimitMs`, jittered) or as
 * long as the last `Retry-After` asked. So the waits grow exponentially, the end of an outage
 * is noticed at worst half its length later, and a long one is tried every 15 to 30 s rather
 * than hammered.
 *
 * @example { limit: 3, delayMs: 500, backoffLimitMs: 30000 }
 */
export interface RetryOptions {
  /**
   * Quick retries of one request after its first attempt, while the service is not known to be
   * down; `0` disables them. When they all fail, the events stay queued and the outage backoff
   * takes over.
   * @default 3
   */
  limit?: number
  /**
   * Delay before a request's first quick retry (it doubles on each further one, with full
   * jitter); also the shortest wait between sends while the service is down.
   * @default 500
   */
  delayMs?: number
  /**
   * Longest wait between two tries: of a request's quick retries, and between sends while the
   * service stays down (so, without a `Retry-After`, the end of an outage goes unnoticed for
   * about this long at most).
   * @default 30000
   */
  backoffLimitMs?: number
  /**
   * Longest `Retry-After` (seconds or HTTP-date) honoured; longer waits are cut to this.
   * @default 60000
   */
  maxRetryAfterMs?: number
}

/** Options of `createTracker()`. */
export interface TrackerOptions {
  /**
   * Base URL of the lastseen ingestion service; batches go to `${endpoint}/v1/batch`.
   * @example 'http://localhost:3000'
   */
  endpoint: string
  /**
   * The project's write key (`lsw_…`). Write keys can only add events, so they may ship to browsers.
   * @example 'lsw_2f8c0b5e9d4a4e7f'
   */
  writeKey: string
  /**
   * Send at once when this many events are queued (1–1000).
   * @default 100 in Node and edge runtimes, 50 in browsers
   */
  flushAt?: number
  /**
   * Send this long after the latest `track()`, so bursts go out as one batch.
   * @default 500 in Node and edge runtimes, 1000 in browsers
   */
  debounceMs?: number
  /**
   * Never wait longer than this after the oldest queued event, however busy `track()` is.
   * While the service is down, the `retry` backoff decides when to send instead.
   * @default 5000
   */
  maxWaitMs?: number
  /**
   * Send at once when the queued events reach this many bytes; also the largest request body.
   * Browsers stay under the 64 KB that `keepalive` and `sendBeacon` accept.
   * @default 512000 in Node and edge runtimes, 60000 in browsers
   */
  maxBatchBytes?: number
  /**
   * Most events kept while waiting to be sent, also through an outage of the service; beyond
   * it (or beyond `maxQueueBytes`) the oldest are dropped, counted in `getStats().dropped`, and
   * the count is reported to the server with the next batch. The server default holds 50 s of a
   * busy server's 2,000 events/s, so a restart or a short outage loses nothing; at a typical
   * 200–500 bytes per event that is 20–50 MB at most. A browser tracks one user.
   * @default 100000 in Node and edge runtimes, 1000 in browsers
   */
  maxQueueSize?: number
  /**
   * Most bytes of queued events (serialized), so memory stays bounded whatever the events
   * weigh: larger events mean fewer of them fit. In browsers it also keeps the queue small
   * enough for `localStorage`.
   * @default 64000000 in Node and edge runtimes, 2000000 in browsers
   */
  maxQueueBytes?: number
  /**
   * Each user's heartbeat (`seen`) is sent at most once per interval bucket (clock hours by default).
   * @default 3600000
   */
  heartbeatIntervalMs?: number
  /**
   * How many users' last heartbeat Node and edge runtimes remember (least recently seen are
   * forgotten first, which at worst sends a heartbeat the server then dedupes). Browsers
   * remember it in `localStorage` instead.
   * @default 100000
   */
  heartbeatCacheSize?: number
  /**
   * Timeout of one HTTP attempt; an attempt that times out is retried like a network error.
   * @default 10000
   */
  timeoutMs?: number
  /** Retries, and the backoff while the service is down: see {@link RetryOptions}. */
  retry?: RetryOptions
  /**
   * gzip request bodies over 1 KB with `CompressionStream` where the runtime has it.
   * @default true
   */
  gzip?: boolean
  /**
   * Browsers: keep unsent events in `localStorage` so a reload or a closed tab does not lose them.
   * @default true
   */
  persist?: boolean
  /**
   * The `fetch` used to send batches; inject one for tests or unusual runtimes.
   * @default globalThis.fetch
   */
  fetch?: typeof fetch
  /**
   * Change or drop (return `null`) each event before it is queued, e.g. to scrub properties or
   * traits. It sees every kind of event: `track`, `seen`, `identify` and `group` (whose `userId`
   * is optional). Never called for a debounced call until it is collapsed.
   * @default undefined
   */
  beforeSend?: (event: WireEvent) => WireEvent | null | undefined
  /**
   * Called with every {@link LastseenError}; the tracker never throws into your code.
   * @default logs to `console` when `debug` is on; an invalid configuration is always logged
   */
  onError?: (error: LastseenError) => void
  /**
   * Turn the tracker into a no-op (tests, local development, opted-out users).
   * @default false
   */
  disabled?: boolean
  /**
   * Log what the tracker does to `console.debug`.
   * @default false
   */
  debug?: boolean
}

/** Options of `flush()` and `shutdown()`. */
export interface FlushOptions {
  /**
   * Settle after this long at the latest, even if the server never answers.
   * @default 10000
   */
  timeoutMs?: number
}
