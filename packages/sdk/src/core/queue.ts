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

// biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point
const NON_ASCII = /[^\x00-\x7f]/

/** UTF-8 length of `s`, without allocating; ASCII (the common case) is checked natively first. */
export function utf8Length(s: string): number {
  if (!NON_ASCII.test(s)) return s.length
  let n = s.length
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) continue
    if (c < 0x800) n += 1
    else if (c >= 0xd800 && c <= 0xdbff) {
      // A surrogate pair: 4 bytes for 2 UTF-16 units.
      i++
      n += 2
    } else n += 2
  }
  return n
}

/** A FIFO that keeps at most `max` events by dropping the oldest. */
export class EventQueue {
  private items: QueuedEvent[] = []
  private head = 0
  bytes = 0

  constructor(readonly max: number) {}

  get length(): number {
    return this.items.length - this.head
  }

  /** Append; returns how many of the oldest events were dropped to stay within `max`. */
  push(item: QueuedEvent): number {
    this.items.push(item)
    this.bytes += item.bytes
    return this.trim()
  }

  /** Put events back at the front (a send failed); returns how many were dropped. */
  unshift(items: QueuedEvent[]): number {
    this.compact()
    this.items = items.concat(this.items)
    for (const item of items) this.bytes += item.bytes
    return this.trim()
  }

  /** Remove and return up to `maxEvents` events whose sizes add up to at most `maxBytes` (at least one). */
  take(maxEvents: number, maxBytes: number): QueuedEvent[] {
    const out: QueuedEvent[] = []
    let bytes = 0
    while (out.length < maxEvents && this.head < this.items.length) {
      const item = this.items[this.head]!
      if (out.length > 0 && bytes + item.bytes + 1 > maxBytes) break
      out.push(item)
      bytes += item.bytes + 1
      this.head++
    }
    this.bytes -= bytes - out.length
    this.compact()
    return out
  }

  /** Every queued event, oldest first, without removing them. */
  snapshot(): QueuedEvent[] {
    return this.items.slice(this.head)
  }

  private trim(): number {
    let dropped = 0
    while (this.length > this.max) {
      this.bytes -= this.items[this.head]!.bytes
      this.head++
      dropped++
    }
    this.compact()
    return dropped
  }

  /** Reclaim the consumed head once it is large, so dropping stays O(1) amortised. */
  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    } else if (this.head === this.items.length) {
      this.items = []
      this.head = 0
    }
  }
}
