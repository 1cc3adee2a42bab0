/**
 * @module
 * Group commit: requests queue their rows, one loop stores them in groups, and each request is
 * answered once its rows are stored. Why and how: docs/architecture.md, "Group commit".
 */

import { DEFAULTS } from '../../config.js'
import { Overloaded, StorageUnavailable, Unavailable } from '../../errors.js'
import type { Storage } from '../../storage/client.js'
import { type EventRow, eventKey, insertEvents, storedKeys } from '../../storage/event-store.js'
import { type DuplicateIndex, duplicateIndex } from './duplicate-index.js'

/** How many events a write stored, and how many were already there. */
export interface WriteResult {
  accepted: number
  duplicates: number
}

/** Tuning of the group commit. */
export interface WriterOptions {
  /** Most events waiting to be stored; past it a write is answered 503. @default `DEFAULTS.maxQueuedEvents` */
  maxQueuedEvents?: number
  /** Most events in one group insert. @default 20_000 */
  maxGroupEvents?: number
  /** Least time between the starts of two group inserts, in ms. @default `DEFAULTS.insertIntervalMs` */
  minIntervalMs?: number
  /**
   * Ids of recently stored events kept in memory for fast duplicate answers, when not
   * `soleWriter` (which keeps a filter of every stored id instead). @default 200_000
   */
  recentIds?: number
  /**
   * Most time a group waits for events after the previous group, while fewer events wait than
   * that group had, in ms. 0 starts each group at once. @default 20
   */
  gatherMs?: number
  /**
   * This process is the only writer of the store (embedded chDB): keep a filter of stored ids
   * and look up only its possible hits. Never set it for a server other processes write to.
   * @default false
   */
  soleWriter?: boolean
  /** Who hears about refusals, stored groups and failed inserts (the metrics). */
  report?: WriterReport
}

/** What the writer reports as it works; it knows nothing of how it is counted. */
export interface WriterReport {
  /** A write was refused at once, without being queued. */
  refused(reason: 'queue_full' | 'storage_down' | 'closing'): void
  /** A group was stored: how long it took, and how many new events it inserted. */
  stored(seconds: number, events: number): void
  /** A group insert failed; its requests are answered 503. */
  failed(): void
}

/** The writer's queue at one moment. */
export interface WriterState {
  /** Events waiting for a group insert. */
  queuedEvents: number
  /** Events of the group being inserted. */
  inFlightEvents: number
  /** Write requests waiting for a group insert. */
  queuedRequests: number
  /** False while the writer waits after a failed insert. */
  available: boolean
}

interface QueuedWrite {
  rows: EventRow[]
  resolve(result: WriteResult): void
  reject(error: unknown): void
}

/** Tries at completing the rows of a failed insert, each after a group stored. */
const MAX_REPAIR_TRIES = 3

const FIRST_BACKOFF_MS = 1000
const MAX_BACKOFF_MS = 30_000

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export class EventWriter {
  private readonly maxQueuedEvents: number
  private readonly maxGroupEvents: number
  private readonly minIntervalMs: number
  private readonly gatherMs: number
  /** What is known of stored ids before `event_ids` is asked. */
  private readonly index: DuplicateIndex
  private lastGroupEvents = 0
  /** Wakes a group that is gathering, once enough events wait. */
  private gathered: (() => void) | undefined
  private readonly report: WriterReport | undefined
  private queue: QueuedWrite[] = []
  private queuedEvents = 0
  private inFlightEvents = 0
  private running = false
  private drained: Promise<void> = Promise.resolve()
  private lastStart = 0
  private failures = 0
  private downUntil = 0
  private closing = false
  /** Rows of failed inserts, to insert again (docs/architecture.md, "Group commit"), and tries so far. */
  private unsettled: { rows: EventRow[]; tries: number }[] = []
  private unsettledEvents = 0

  constructor(
    private readonly storage: Storage,
    options: WriterOptions = {},
  ) {
    this.maxQueuedEvents = options.maxQueuedEvents ?? DEFAULTS.maxQueuedEvents
    this.maxGroupEvents = options.maxGroupEvents ?? 20_000
    this.minIntervalMs = options.minIntervalMs ?? DEFAULTS.insertIntervalMs
    this.gatherMs = options.gatherMs ?? 20
    this.index = duplicateIndex(storage, options)
    this.report = options.report
  }

  /** The queue now, for whoever watches it. */
  get state(): WriterState {
    return {
      queuedEvents: this.queuedEvents,
      inFlightEvents: this.inFlightEvents,
      queuedRequests: this.queue.length,
      available: this.available,
    }
  }

  /** False while the writer waits after a failed insert (writes are answered 503 meanwhile). */
  get available(): boolean {
    return Date.now() >= this.downUntil
  }

  /**
   * Store `rows`; resolves once they are stored, or rejects with `Overloaded`, `Unavailable`
   * (closing) or `StorageUnavailable`.
   */
  write(rows: EventRow[]): Promise<WriteResult> {
    if (this.closing) {
      this.report?.refused('closing')
      return Promise.reject(new Unavailable('the service is shutting down; retry', 1000))
    }
    if (rows.length === 0) return Promise.resolve({ accepted: 0, duplicates: 0 })
    const wait = this.downUntil - Date.now()
    if (wait > 0) {
      this.report?.refused('storage_down')
      return Promise.reject(new StorageUnavailable('storage is unavailable', wait))
    }
    if (this.queuedEvents > 0 && this.queuedEvents + rows.length > this.maxQueuedEvents) {
      this.report?.refused('queue_full')
      return Promise.reject(new Overloaded('too many events waiting to be stored; retry', 1000))
    }
    return new Promise<WriteResult>((resolve, reject) => {
      this.queue.push({ rows, resolve, reject })
      this.queuedEvents += rows.length
      if (this.gathered && this.queuedEvents >= this.lastGroupEvents) this.gathered()
      if (!this.running) {
        this.running = true
        this.drained = this.loop()
      }
    })
  }

  /** Refuse new writes and wait until every queued and in-flight group is stored. */
  async close(): Promise<void> {
    this.closing = true
    this.gathered?.()
    await this.drained
    if (this.unsettled.length && this.available) await this.settle()
    await this.index.settle()
  }

  private async loop(): Promise<void> {
    for (;;) {
      if (this.queue.length === 0) {
        this.running = false
        return
      }
      const wait = this.lastStart + this.minIntervalMs - Date.now()
      if (wait > 0) await sleep(wait)
      await this.gather()
      const group = this.takeGroup()
      this.lastStart = Date.now()
      if ((await this.commit(group)) && this.unsettled.length) await this.settle()
    }
  }

  /** While fewer events wait than the last group had, wait for more, up to `gatherMs`. */
  private async gather(): Promise<void> {
    if (this.gatherMs <= 0 || this.closing || this.queuedEvents >= this.lastGroupEvents) return
    let timer: NodeJS.Timeout | undefined
    await new Promise<void>((resolve) => {
      this.gathered = resolve
      timer = setTimeout(resolve, this.gatherMs)
    })
    clearTimeout(timer)
    this.gathered = undefined
  }

  /** Whole requests from the head of the queue, up to `maxGroupEvents` (at least one). */
  private takeGroup(): QueuedWrite[] {
    let size = 0
    let n = 0
    while (n < this.queue.length) {
      const next = (this.queue[n] as QueuedWrite).rows.length
      if (n > 0 && size + next > this.maxGroupEvents) break
      size += next
      n++
    }
    const group = this.queue.splice(0, n)
    this.queuedEvents -= size
    this.inFlightEvents = size
    this.lastGroupEvents = size
    return group
  }

  /** Store a group and answer its requests; false when it failed (answered 503). */
  private async commit(group: QueuedWrite[]): Promise<boolean> {
    const started = performance.now()
    let inserting: EventRow[] = []
    this.index.prepare()
    try {
      const results = group.map(() => ({ accepted: 0, duplicates: 0 }))
      const seen = new Set<string>()
      const candidates: { row: EventRow; key: string; request: number; unsure: boolean }[] = []
      group.forEach((write, request) => {
        for (const row of write.rows) {
          const key = eventKey(row.project_id, row.id)
          const verdict = seen.has(key) ? 'stored' : this.index.verdict(key)
          if (verdict === 'stored') {
            ;(results[request] as WriteResult).duplicates++
          } else {
            seen.add(key)
            candidates.push({ row, key, request, unsure: verdict === 'unsure' })
          }
        }
      })
      // Only the ids the index cannot vouch for are looked up.
      const lookup = candidates.filter((c) => c.unsure)
      const stored = lookup.length
        ? await storedKeys(
            this.storage,
            lookup.map((c) => c.row),
          )
        : new Set<string>()
      const fresh: EventRow[] = []
      for (const c of candidates) {
        const result = results[c.request] as WriteResult
        if (stored.has(c.key)) result.duplicates++
        else {
          result.accepted++
          fresh.push(c.row)
        }
      }
      inserting = fresh
      await insertEvents(this.storage, fresh)
      for (const c of candidates) this.index.add(c.key)
      this.failures = 0
      this.report?.stored((performance.now() - started) / 1000, fresh.length)
      this.inFlightEvents = 0
      group.forEach((write, i) => {
        write.resolve(results[i] as WriteResult)
      })
      return true
    } catch (err) {
      if (inserting.length) this.keepUnsettled(inserting, 0)
      this.fail(group, err)
      return false
    }
  }

  /** Keep `rows` of a failed insert to insert again, within the queue's memory bound. */
  private keepUnsettled(rows: EventRow[], tries: number): void {
    this.unsettled.push({ rows, tries })
    this.unsettledEvents += rows.length
    while (this.unsettledEvents > this.maxQueuedEvents && this.unsettled.length > 1) {
      const dropped = this.unsettled.shift() as { rows: EventRow[] }
      this.unsettledEvents -= dropped.rows.length
      console.error(
        `lastseen-ingest: ${dropped.rows.length} events of a failed insert will not be repaired (too many); tables may disagree about them until their senders retry`,
      )
    }
  }

  /** Insert again the rows of failed inserts that are still not stored (docs/architecture.md, "Group commit"). */
  private async settle(): Promise<void> {
    const batch = this.unsettled
    this.unsettled = []
    this.unsettledEvents = 0
    const rows = batch.flatMap((b) => b.rows)
    try {
      const stored = await storedKeys(this.storage, rows)
      const missing = rows.filter((r) => !stored.has(eventKey(r.project_id, r.id)))
      await insertEvents(this.storage, missing)
      for (const r of rows) this.index.add(eventKey(r.project_id, r.id))
      console.error(
        `lastseen-ingest: completed ${missing.length} events of failed inserts (${rows.length - missing.length} were stored meanwhile)`,
      )
    } catch (err) {
      this.index.doubt()
      for (const b of batch) {
        if (b.tries + 1 < MAX_REPAIR_TRIES) this.keepUnsettled(b.rows, b.tries + 1)
        else {
          console.error(
            `lastseen-ingest: gave up completing ${b.rows.length} events of a failed insert after ${MAX_REPAIR_TRIES} tries; tables may disagree about them until their senders retry:`,
            (err as Error).message,
          )
        }
      }
    }
  }

  /** A failed group: answer it and everything queued with 503, then wait before trying again. */
  private fail(group: QueuedWrite[], err: unknown): void {
    this.failures++
    // The insert may have stored part of its rows: the index must not vouch for them as new.
    this.index.doubt()
    const backoff = Math.min(FIRST_BACKOFF_MS * 2 ** (this.failures - 1), MAX_BACKOFF_MS)
    this.downUntil = Date.now() + backoff
    this.report?.failed()
    console.error(
      `lastseen-ingest: storing ${this.inFlightEvents} events failed; answering 503 for ${backoff} ms:`,
      (err as Error).message,
    )
    const error = new StorageUnavailable('storage is unavailable', backoff)
    const waiting = this.queue
    this.queue = []
    this.queuedEvents = 0
    this.inFlightEvents = 0
    for (const write of [...group, ...waiting]) write.reject(error)
  }
}
