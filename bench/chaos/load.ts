/**
 * @module
 * The load of a chaos scenario: a Node tracker with the SDK's default settings (only the
 * endpoint and the key are set), calling `track('chaos', { seq })` at a steady rate for 1,000
 * users, so every call can be found again in the store by its sequence number.
 */
import { createTracker } from '@lastseen/sdk'
import { WRITE_KEY } from '../lib/keys.js'

type Events = { chaos: { seq: number } }

/** What the load did, from the caller's side and from the tracker's own statistics. */
export interface LoadResult {
  /** `track()` calls made. */
  calls: number
  /** Events the service acknowledged as stored (`getStats().sent`). */
  acknowledged: number
  /** Of `acknowledged`, events the service already had (a resend after a lost answer). */
  duplicates: number
  /** Events the tracker dropped: queue overflow, refused batches, local refusals. */
  dropped: number
  /** Events still queued when `shutdown()` gave up. */
  leftQueued: number
  /** HTTP requests the tracker retried. */
  retried: number
}

export interface Load {
  /** Stop calling `track()`, then shut the tracker down (waiting up to `timeoutMs`). */
  stop(timeoutMs?: number): Promise<LoadResult>
}

/** Call `track()` `perSecond` times a second, in ticks of 10 ms, until stopped. */
export function startLoad(endpoint: string, perSecond: number): Load {
  const tracker = createTracker<Events>({ endpoint, writeKey: WRITE_KEY })
  let calls = 0
  const started = Date.now()
  const timer = setInterval(() => {
    const due = Math.floor(((Date.now() - started) * perSecond) / 1000)
    for (; calls < due; calls++) {
      tracker.track('chaos', { seq: calls }, { userId: `u_${calls % 1000}` })
    }
  }, 10)
  return {
    async stop(timeoutMs = 120_000) {
      clearInterval(timer)
      await tracker.shutdown({ timeoutMs }).catch(() => {})
      const stats = tracker.getStats()
      return {
        calls,
        acknowledged: stats.sent,
        duplicates: stats.duplicates,
        dropped: stats.dropped + stats.failed + stats.rejected,
        leftQueued: stats.queued + stats.inFlight,
        retried: stats.retried,
      }
    },
  }
}
