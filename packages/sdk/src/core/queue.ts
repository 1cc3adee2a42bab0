/**
 * @module
 * The bounded event queue: serialized events in arrival order, with their byte size, so a batch
 * body is a join of ready strings and its size is known without serializing twice.
 */

/** One event, serialized once when it was tracked. */
export interface QueuedEvent {
  id: string
  json: string
  bytes: number
}

/** A FIFO that keeps at most `max` events and `maxBytes` bytes by dropping the oldest. */
export function createQueue(max: number, maxBytes = Number.POSITIVE_INFINITY) {
  let items: QueuedEvent[] = []
  let head = 0
  let bytes = 0
  const length = () => items.length - head

  /** Reclaim the consumed head once it is large, so dropping stays O(1) amortised. */
  const compact = () => {
    if (head === items.length || (head > 1024 && head * 2 > items.length)) {
      items = items.slice(head)
      head = 0
    }
  }

  /** Drop the oldest events beyond `max` or `maxBytes`; returns how many. */
  const trim = () => {
    let dropped = 0
    for (; length() > max || bytes > maxBytes; dropped++) bytes -= items[head++]!.bytes
    compact()
    return dropped
  }

  return {
    get length() {
      return length()
    },
    /** Bytes of the queued events. */
    get bytes() {
      return bytes
    },
    /** Events held in memory, taken and dropped ones not yet reclaimed included (for tests). */
    get retained() {
      return items.length
    },
    /** Append; returns how many of the oldest events were dropped to stay within bounds. */
    push(item: QueuedEvent): number {
      items.push(item)
      bytes += item.bytes
      return trim()
    },
    /** Put events back at the front (a send failed); returns how many were dropped. */
    unshift(back: QueuedEvent[]): number {
      items = back.concat(items.slice(head))
      head = 0
      for (const item of back) bytes += item.bytes
      return trim()
    },
    /** Remove and return up to `maxEvents` events whose sizes add up to at most `maxBytes` (at least one). */
    take(maxEvents: number, maxBytes: number): QueuedEvent[] {
      const out: QueuedEvent[] = []
      let size = 0
      while (out.length < maxEvents && head < items.length) {
        const item = items[head]!
        if (out.length > 0 && size + item.bytes + 1 > maxBytes) break
        out.push(item)
        size += item.bytes + 1
        head++
      }
      bytes -= size - out.length
      compact()
      return out
    },
    /** Every queued event, oldest first, without removing them. */
    snapshot: (): QueuedEvent[] => items.slice(head),
  }
}

/** The event queue. */
export type EventQueue = ReturnType<typeof createQueue>
