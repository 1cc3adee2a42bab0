/**
 * @module
 * The outage backoff. When a request's quick retries were not enough, the service is taken to
 * be down until it answers again, and each further try is one request after a wait: what the
 * last answer's `Retry-After` asked for, else half as long as the outage has lasted so far,
 * from `retry.delayMs` up to `retry.backoffLimitMs`. So the waits grow exponentially, and the end
 * of an outage is noticed at worst half its length later. Jittered (half to all of it), so that
 * many processes do not all come back in the same instant.
 */
import type { Config } from '../config.js'

/** How long to wait before the next send of an outage that began at `since`. */
export function outageWait(
  retry: Config['retry'],
  since: number,
  retryAfterMs: number | undefined,
): number {
  const { delayMs, backoffLimitMs, maxRetryAfterMs } = retry
  if (retryAfterMs !== undefined) return Math.min(Math.max(retryAfterMs, delayMs), maxRetryAfterMs)
  const ms = Math.min(backoffLimitMs, Math.max(delayMs, (Date.now() - since) / 2))
  return ms / 2 + (Math.random() * ms) / 2
}
