/**
 * @module
 * Debounced calls (`track(…, { debounceMs })`): repeated calls of one event by one user within
 * `debounceMs` collapse into the last one, which keeps the first call's id and counts how many
 * calls it stands for. It is queued when the calls stop, or when everything must go out now.
 */
import type { WireTrackEvent } from '@lastseen/protocol'
import type { Platform } from '../platform/platform.js'

export function createDebouncer(platform: Platform, enqueue: (event: WireTrackEvent) => void) {
  const pending = new Map<string, { event: WireTrackEvent; timer: unknown }>()
  return {
    /** Hold `event` for `ms`, in place of the same user's pending call of the same event. */
    add(event: WireTrackEvent, ms: number): void {
      const key = `${event.userId}\u0000${event.event}`
      const previous = pending.get(key)
      if (previous) {
        platform.clearTimer(previous.timer)
        event.id = previous.event.id
        event.count = (previous.event.count ?? 1) + 1
      }
      const timer = platform.setTimer(() => {
        pending.delete(key)
        enqueue(event)
      }, ms)
      pending.set(key, { event, timer })
    },
    /** Queue every pending event now (flush, page hide). */
    promote(): void {
      for (const { event, timer } of pending.values()) {
        platform.clearTimer(timer)
        enqueue(event)
      }
      pending.clear()
    },
    /** Calls waiting to be collapsed. */
    size: (): number => pending.size,
  }
}
