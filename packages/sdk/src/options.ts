/**
 * @module
 * Options of `createTracker()`.
 */

/** Options of `createTracker()`. */
export interface TrackerOptions {
  /**
   * Base URL of the lastseen ingestion service; batches go to `${endpoint}/v1/batch`.
   * @example 'http://localhost:3000'
   */
  endpoint: string
  /**
   * The project's write key (`lsw_…`). Write keys can only add events, so they may ship to browsers.
   */
  writeKey: string
  /**
   * The `fetch` used to send batches; inject one for tests or unusual runtimes.
   * @default globalThis.fetch
   */
  fetch?: typeof fetch
}
