/**
 * @module
 * Events the full queue dropped: counted in `getStats().dropped`, reported once per overflow
 * (not once per event), and told to the service with each batch until one gets through.
 */
import type { Config } from '../config.js'
import type { Counts, Report } from './report.js'

export function createDrops(config: Config, counts: Counts, report: Report) {
  let unreported = 0
  let reported = false
  return {
    /** The queue dropped `n` events (its oldest) to stay within bounds. */
    add(n: number): void {
      if (n === 0) return
      counts.dropped += n
      unreported += n
      if (reported) return
      reported = true
      report(
        'queue_full',
        `queue full (${config.maxQueueSize} events or ${config.maxQueueBytes} bytes): dropping the oldest; getStats().dropped counts them`,
        n,
      )
    },
    /** Drops the service has not been told about yet: sent as `dropped` with the next batch. */
    unreported: (): number => unreported,
    /** A batch that told the service about `n` drops was stored: the overflow is over. */
    delivered(n: number): void {
      unreported = Math.max(0, unreported - n)
      reported = false
    },
  }
}

export type Drops = ReturnType<typeof createDrops>
