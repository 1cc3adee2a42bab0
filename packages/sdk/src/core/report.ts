/**
 * @module
 * How the core tells what happened: counters for `getStats()`, a {@link LastseenError} for each
 * problem (to `onError`, or to the console with `debug`; never thrown), and the `debug` log.
 */
import type { Config } from '../config.js'
import { LastseenError, type LastseenErrorCode } from '../errors.js'
import type { TrackerStats } from '../types.js'

/** The counters of `getStats()` that the core keeps (the others are read off the queue). */
export type Counts = Omit<TrackerStats, 'queued' | 'inFlight'>

/** Tell the host about a problem concerning `events` events. */
export type Report = (
  code: LastseenErrorCode,
  message: string,
  events: number,
  cause?: unknown,
  status?: number,
) => void

/** Write to the `debug` log. */
export type Log = (...args: unknown[]) => void

export function createReport(config: Config): Report {
  return (code, message, events, cause, status) => {
    const error = new LastseenError(code, message, { events, cause, status })
    if (config.onError) {
      try {
        config.onError(error)
      } catch {}
    } else if (config.debug) console.error(error.message)
  }
}

export function createLog(config: Config): Log {
  return (...args) => {
    if (config.debug) console.debug('[lastseen]', ...args)
  }
}
