/**
 * @module
 * When to send: `debounceMs` after the latest event, never later than `maxWaitMs` after the
 * oldest one, at once when `flushAt` events or `maxBatchBytes` bytes are queued, and never
 * before the outage backoff allows. At most {@link MAX_CONCURRENT} automatic requests are in
 * flight (one during an outage); the end of one starts the next, so no timer runs while every slot is busy.
 */
import type { Config } from '../config.js'
import type { Platform } from '../platform/platform.js'
import type { EventQueue } from './queue.js'

/** Requests in flight at once, from automatic sends and from `flush()`. */
export const MAX_CONCURRENT = 2

/**
 * `inFlight`: how many requests are in flight; `send`: start sending one batch of what is
 * queued.
 */
export function createScheduler(
  config: Config,
  platform: Platform,
  queue: EventQueue,
  inFlight: () => number,
  send: () => void,
) {
  let timer: unknown
  let oldestAt = 0
  let lastAt = 0
  let pausedUntil = 0

  const dueAt = () =>
    Math.max(Math.min(lastAt + config.debounceMs, oldestAt + config.maxWaitMs), pausedUntil)

  /** Requests allowed in flight now: one per try while the service is taken to be down. */
  const slots = () => (pausedUntil > 0 ? 1 : MAX_CONCURRENT)

  /** Start sends that are due (`force`: the timer fired), then arm the timer for the rest. */
  function pump(force: boolean): void {
    const { flushAt, maxBatchBytes } = config
    while (queue.length > 0 && inFlight() < slots()) {
      const full = queue.length >= flushAt || queue.bytes >= maxBatchBytes
      if (!(force || (full && Date.now() >= pausedUntil))) break
      send()
      if (queue.length > 0) oldestAt = Date.now()
    }
    if (queue.length > 0 && inFlight() < slots()) arm()
  }

  function arm(): void {
    if (timer !== undefined) return
    const wait = Math.max(0, dueAt() - Date.now())
    timer = platform.setTimer(() => {
      timer = undefined
      if (queue.length === 0) return
      if (Date.now() >= dueAt()) pump(true)
      else arm()
    }, wait)
  }

  return {
    pump,
    /** An event is about to join the queue at `now`. */
    arrived(now: number): void {
      if (queue.length === 0) oldestAt = now
      lastAt = now
    },
    /** Events went back to the front of the queue; `asNew`: wait `debounceMs` as for new ones. */
    requeued(asNew: boolean): void {
      oldestAt = Date.now()
      if (asNew) lastAt = oldestAt
    },
    /** Send nothing automatically for `ms` (the outage backoff). */
    pause(ms: number): void {
      pausedUntil = Math.max(pausedUntil, Date.now() + ms)
    },
    /** The service answers again: send as usual. */
    resume(): void {
      pausedUntil = 0
    },
    /** Clear the timer (shutdown, or a page hide that sends everything now). */
    stop(): void {
      if (timer !== undefined) platform.clearTimer(timer)
      timer = undefined
    },
  }
}

export type Scheduler = ReturnType<typeof createScheduler>
