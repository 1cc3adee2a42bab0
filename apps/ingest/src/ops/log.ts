/**
 * @module
 * Debug output: what an operator only wants while chasing a problem (`LASTSEEN_DEBUG=1`).
 */
import { debugEnabled } from '../config.js'

const enabled = debugEnabled()

/** Write to stderr when `LASTSEEN_DEBUG=1`; otherwise nothing. */
export function debugLog(...args: unknown[]): void {
  if (enabled) console.error('lastseen-ingest [debug]:', ...args)
}
