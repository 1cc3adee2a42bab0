/**
 * @module
 * The tracker core, the same on every runtime: it owns the queue, decides when to send
 * (debounce, maxWait, flushAt, maxBatchBytes), sends through the transport, splits on 413,
 * requeues on failure, counts everything, and sends each user's heartbeat once per interval.
 * Runtime differences (timers, storage, page lifecycle) come from the {@link Platform}.
 */
import type { Config } from '../config.js'
import { COMMON_DEFAULTS, LIBRARY } from '../defaults.js'
import { LastseenError, type LastseenErrorCode } from '../errors.js'
import { heartbeatId, randomId } from '../ids.js'
import type { FlushOptions } from '../options.js'
import type {
  EventStorage,
  HeartbeatStore,
  Identity,
  Lifecycle,
  Platform,
} from '../platform/platform.js'
import type { TrackContext, TrackerStats } from '../types.js'
import { LIMITS, type WireEvent, type WireTrackEvent } from '../wire.js'
import { EventQueue, type QueuedEvent, utf8Length } from './queue.js'
import { settleWithin } from './settle.js'
import { createTransport, type Transport } from './transport.js'

/** Requests in flight at once from automatic sends; `flush()` sends everything at once. */
const MAX_CONCURRENT = 2
/** Room for the envelope (`sentAt`, `library`, `dropped`, `writeKey`) around the events. */
const ENVELOPE_BYTES = 512
/** A beacon must fit 64 KiB. */
const BEACON_BYTES = 60_000

interface Debounced {
  event: WireTrackEvent
  timer: unknown
}

export class Core {
  readonly #config: Config
  readonly #platform: Platform
  readonly #queue: EventQueue
  readonly #transport: Transport
  readonly #heartbeats: HeartbeatStore
  readonly #storage: EventStorage | undefined
  readonly #identity: { load(): Identity | undefined; save(id: Identity | undefined): void }
  readonly #lifecycle: Lifecycle
  readonly #pending = new Map<string, Debounced>()
  readonly #inflight = new Map<Promise<void>, QueuedEvent[]>()
  /** Sent by beacon: no answer will come, so they stay stored until a later send is acknowledged. */
  #beaconed: QueuedEvent[] = []
  #abort = new AbortController()
  #timer: unknown
  #oldestAt = 0
  #lastAt = 0
  #backoffUntil = 0
  #unreportedDrops = 0
  #persistQueued = false
  #closed: Promise<void> | undefined
  #user: Identity | undefined
  readonly #stats = { sent: 0, duplicates: 0, retried: 0, dropped: 0, rejected: 0, failed: 0 }

  constructor(config: Config, platform: Platform) {
    this.#config = config
    this.#platform = platform
    this.#queue = new EventQueue(config.maxQueueSize)
    this.#transport = createTransport(config, {
      keyInBody: platform.keyInBody,
      keepalive: platform.keepalive,
      onRetry: () => this.#stats.retried++,
    })
    this.#heartbeats = platform.heartbeats(config)
    this.#storage = config.persist ? platform.storage(config) : undefined
    this.#identity = platform.identity(config)
    this.#user = this.#identity.load()
    this.#lifecycle = platform.lifecycle()
    this.#lifecycle.onHide?.((unloading) => this.#onHide(unloading))
    this.#lifecycle.onVisible?.(() => this.#onVisible())
    this.#lifecycle.onExit?.(() => void this.flush())
    if (this.#storage) {
      this.#restore(this.#storage.load())
      this.#storage.onAdopt((events) => this.#restore(events))
    }
  }

  // ── public operations (each guarded: nothing escapes into the host) ──

  track(
    name: string,
    props: Record<string, unknown> | undefined,
    context: TrackContext = {},
  ): void {
    if (this.#closed) {
      this.#log('track() after shutdown() ignored:', name)
      return
    }
    const userId = context.userId ?? this.#user?.userId
    if (typeof name !== 'string' || name === '') {
      this.#report('invalid_event', 'track() needs an event name', 1)
      return
    }
    if (typeof userId !== 'string' || userId === '') {
      this.#report(
        'invalid_event',
        `track('${name}') has no user: pass { userId } or call identify() first`,
        1,
      )
      return
    }
    const accountId =
      context.accountId ?? (userId === this.#user?.userId ? this.#user.accountId : undefined)
    const now = Date.now()
    const at = context.timestamp === undefined ? now : new Date(context.timestamp).getTime()
    if (!Number.isFinite(at)) {
      this.#report('invalid_event', `track('${name}') has an invalid timestamp`, 1)
      return
    }
    if (context.timestamp === undefined) this.#heartbeat(userId, accountId, now)
    const event: WireTrackEvent = {
      id: randomId(),
      type: 'track',
      event: name,
      userId,
      ...(accountId === undefined ? {} : { accountId }),
      timestamp: new Date(at).toISOString(),
      ...(props === undefined ? {} : { properties: props }),
    }
    const debounceMs = context.debounceMs
    if (typeof debounceMs === 'number' && debounceMs > 0) this.#debounce(event, debounceMs)
    else this.#enqueue(event)
  }

  seen(userId: string | undefined, options: { accountId?: string | undefined } = {}): void {
    if (this.#closed) return
    const user = userId ?? this.#user?.userId
    if (typeof user !== 'string' || user === '') {
      this.#report('invalid_event', 'seen() has no user: pass a userId or call identify() first', 1)
      return
    }
    const accountId =
      options.accountId ?? (user === this.#user?.userId ? this.#user.accountId : undefined)
    this.#heartbeat(user, accountId, Date.now())
  }

  identify(userId: string, accountId: string | undefined): void {
    if (typeof userId !== 'string' || userId === '') {
      this.#report('invalid_event', 'identify() needs a non-empty userId', 0)
      return
    }
    this.#user = { userId, ...(accountId === undefined ? {} : { accountId }) }
    this.#identity.save(this.#user)
    this.seen(userId, this.#user)
  }

  reset(): void {
    this.#user = undefined
    this.#identity.save(undefined)
  }

  /** Send everything queued now, and wait for it and for what is in flight, within the timeout. */
  async flush(options: FlushOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? COMMON_DEFAULTS.flushTimeoutMs
    this.#promoteDebounced()
    const waits = [...this.#inflight.keys()]
    while (this.#queue.length > 0) waits.push(this.#sendChunk(this.#chunkBytes(), false))
    if (waits.length === 0) return
    const settled = await settleWithin(Promise.all(waits), timeoutMs)
    if (!settled) {
      const unsent = this.#queue.length + this.#inflightCount()
      this.#report(
        'timeout',
        `flush() gave up after ${timeoutMs} ms; ${unsent} events unsent`,
        unsent,
      )
    }
  }

  /** Flush, then stop: timers cleared, requests still open aborted, listeners removed. */
  shutdown(options: FlushOptions = {}): Promise<void> {
    this.#closed ??= this.flush(options).then(() => {
      this.#clearTimer()
      this.#abort.abort()
      this.#persistNow()
      this.#lifecycle.dispose()
    })
    return this.#closed
  }

  stats(): TrackerStats {
    return {
      queued: this.#queue.length + this.#pending.size,
      inFlight: this.#inflightCount(),
      ...this.#stats,
    }
  }

  // ── heartbeat ──

  #heartbeat(userId: string, accountId: string | undefined, now: number): void {
    const bucket = Math.floor(now / this.#config.heartbeatIntervalMs)
    const last = this.#heartbeats.get(userId)
    if (last !== undefined && last >= bucket) return
    this.#heartbeats.set(userId, bucket)
    this.#enqueue({
      id: heartbeatId(userId, bucket),
      type: 'seen',
      userId,
      ...(accountId === undefined ? {} : { accountId }),
      timestamp: new Date(now).toISOString(),
    })
  }

  // ── queueing and scheduling ──

  #debounce(event: WireTrackEvent, ms: number): void {
    const key = `${event.userId}\u0000${event.event}`
    const previous = this.#pending.get(key)
    if (previous) {
      this.#platform.clearTimer(previous.timer)
      event.id = previous.event.id
      event.count = (previous.event.count ?? 1) + 1
    }
    const timer = this.#platform.setTimer(() => {
      this.#pending.delete(key)
      this.#enqueue(event)
    }, ms)
    this.#pending.set(key, { event, timer })
  }

  #promoteDebounced(): void {
    for (const { event, timer } of this.#pending.values()) {
      this.#platform.clearTimer(timer)
      this.#enqueue(event)
    }
    this.#pending.clear()
  }

  #enqueue(input: WireEvent): void {
    let event: WireEvent | null | undefined = input
    if (this.#config.beforeSend) {
      try {
        event = this.#config.beforeSend(input)
      } catch (error) {
        this.#stats.rejected++
        this.#report('invalid_event', `beforeSend threw: ${String(error)}`, 1, error)
        return
      }
      if (!event) return
    }
    let json: string
    try {
      json = JSON.stringify(event)
    } catch (error) {
      this.#stats.rejected++
      this.#report('invalid_event', `event is not serializable: ${String(error)}`, 1, error)
      return
    }
    const bytes = utf8Length(json)
    if (bytes > LIMITS.maxEventBytes) {
      this.#stats.rejected++
      const name = event.type === 'track' ? event.event : event.type
      this.#report(
        'invalid_event',
        `event '${name}' is ${bytes} bytes, over the ${LIMITS.maxEventBytes}-byte limit`,
        1,
      )
      return
    }
    const now = Date.now()
    if (this.#queue.length === 0) this.#oldestAt = now
    this.#lastAt = now
    this.#dropped(this.#queue.push({ id: event.id, json, bytes }))
    this.#persistSoon()
    this.#pump(false)
  }

  #dropped(n: number): void {
    if (n === 0) return
    this.#stats.dropped += n
    this.#unreportedDrops += n
    this.#report(
      'queue_full',
      `queue full (${this.#config.maxQueueSize}): dropped ${n} oldest events`,
      n,
    )
  }

  #dueAt(): number {
    const { debounceMs, maxWaitMs } = this.#config
    return Math.max(
      Math.min(this.#lastAt + debounceMs, this.#oldestAt + maxWaitMs),
      this.#backoffUntil,
    )
  }

  /** Start sends that are due (`force`: the timer fired), then arm the timer for the rest. */
  #pump(force: boolean): void {
    const { flushAt, maxBatchBytes } = this.#config
    while (this.#queue.length > 0 && this.#inflight.size < MAX_CONCURRENT) {
      const full = this.#queue.length >= flushAt || this.#queue.bytes >= maxBatchBytes
      if (!(force || (full && Date.now() >= this.#backoffUntil))) break
      void this.#sendChunk(this.#chunkBytes(), false)
      if (this.#queue.length > 0) this.#oldestAt = Date.now()
    }
    if (this.#queue.length > 0) this.#arm()
  }

  #arm(): void {
    if (this.#timer !== undefined) return
    const wait = Math.max(0, this.#dueAt() - Date.now())
    this.#timer = this.#platform.setTimer(() => {
      this.#timer = undefined
      if (this.#queue.length === 0) return
      if (Date.now() >= this.#dueAt()) this.#pump(true)
      else this.#arm()
    }, wait)
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#platform.clearTimer(this.#timer)
    this.#timer = undefined
  }

  #chunkBytes(): number {
    return this.#config.maxBatchBytes - ENVELOPE_BYTES
  }

  // ── sending ──

  #sendChunk(maxBytes: number, urgent: boolean): Promise<void> {
    const items = this.#queue.take(LIMITS.maxBatchEvents, maxBytes)
    const sending = this.#deliver(items, urgent).then(() => {
      this.#inflight.delete(sending)
      this.#persistSoon()
      if (!this.#closed && this.#queue.length > 0) this.#pump(false)
    })
    this.#inflight.set(sending, items)
    return sending
  }

  #body(items: QueuedEvent[], dropped: number): string {
    let body = `{"sentAt":"${new Date().toISOString()}","library":${JSON.stringify(LIBRARY)}`
    if (dropped > 0) body += `,"dropped":${dropped}`
    if (this.#platform.keyInBody) body += `,"writeKey":${JSON.stringify(this.#config.writeKey)}`
    return `${body},"batch":[${items.map((i) => i.json).join(',')}]}`
  }

  async #deliver(items: QueuedEvent[], urgent: boolean): Promise<void> {
    const dropped = this.#unreportedDrops
    const body = this.#body(items, dropped)
    const outcome = urgent
      ? await this.#transport.sendUrgent(body)
      : await this.#transport.send(body, utf8Length(body), this.#abort.signal)
    switch (outcome.kind) {
      case 'ok': {
        const { accepted = 0, duplicates = 0, rejected = [] } = outcome.response
        this.#unreportedDrops = Math.max(0, this.#unreportedDrops - dropped)
        this.#stats.sent += accepted + duplicates
        this.#stats.duplicates += duplicates
        this.#backoffUntil = 0
        this.#log(`sent ${items.length} events: ${accepted} accepted, ${duplicates} duplicates`)
        if (rejected.length > 0) {
          this.#stats.rejected += rejected.length
          const reasons = rejected.slice(0, 3).map((r) => `#${r.index}: ${r.reason}`)
          this.#report(
            'rejected',
            `server refused ${rejected.length} events (${reasons.join('; ')})`,
            rejected.length,
          )
        }
        return
      }
      case 'too_large': {
        if (items.length === 1) {
          this.#stats.rejected++
          this.#report('http_error', `server refused an event as too large: ${outcome.message}`, 1)
          return
        }
        const half = Math.ceil(items.length / 2)
        this.#log(`413: splitting ${items.length} events in two`)
        await this.#deliver(items.slice(0, half), urgent)
        await this.#deliver(items.slice(half), urgent)
        return
      }
      case 'refused':
        this.#stats.failed += items.length
        this.#report(
          'http_error',
          `server refused a batch of ${items.length} events (${outcome.status}): ${outcome.message}`,
          items.length,
          undefined,
          outcome.status,
        )
        return
      case 'failed': {
        this.#dropped(this.#queue.unshift(items))
        this.#oldestAt = Date.now()
        if (this.#abort.signal.aborted) return
        this.#backoffUntil = Date.now() + this.#config.maxWaitMs
        this.#report(
          'network_error',
          `sending ${items.length} events failed, will retry: ${outcome.message}`,
          items.length,
          outcome.cause,
        )
      }
    }
  }

  #inflightCount(): number {
    let n = 0
    for (const items of this.#inflight.values()) n += items.length
    return n
  }

  // ── browsers: page hide and storage ──

  /**
   * The page is hidden (`unloading`: it is going away). Everything queued is sent now, in chunks
   * that fit 64 KB, and stays stored until acknowledged: `keepalive` fetches while the page may
   * still read the answer, `sendBeacon` for what is left at unload (no answer ever comes, so
   * those are resent by the next page and deduplicated by the server).
   */
  #onHide(unloading: boolean): void {
    this.#promoteDebounced()
    this.#clearTimer()
    const chunk = Math.min(this.#chunkBytes(), BEACON_BYTES)
    const beacon = this.#platform.beacon
    while (this.#queue.length > 0) {
      if (!unloading || !beacon) {
        void this.#sendChunk(chunk, true)
        continue
      }
      const items = this.#queue.take(LIMITS.maxBatchEvents, chunk)
      this.#beaconed.push(...items)
      if (!beacon(this.#config.batchUrl, this.#body(items, this.#unreportedDrops))) break
    }
    this.#persistNow()
  }

  /** The page is back: beaconed events got no answer, so send them again (the server dedupes). */
  #onVisible(): void {
    if (this.#beaconed.length > 0) {
      const items = this.#beaconed
      this.#beaconed = []
      this.#dropped(this.#queue.unshift(items))
      this.#pump(false)
    }
    if (this.#user) this.seen(this.#user.userId, this.#user)
  }

  #restore(events: string[]): void {
    const known = new Set<string>()
    for (const item of this.#queue.snapshot()) known.add(item.id)
    const items: QueuedEvent[] = []
    for (const json of events) {
      try {
        const event = JSON.parse(json) as WireEvent
        if (typeof event?.id !== 'string' || known.has(event.id)) continue
        known.add(event.id)
        items.push({ id: event.id, json, bytes: utf8Length(json) })
      } catch {}
    }
    if (items.length === 0) return
    this.#log(`restored ${items.length} unsent events`)
    this.#dropped(this.#queue.unshift(items))
    this.#oldestAt = this.#lastAt = Date.now()
    this.#persistSoon()
    this.#pump(false)
  }

  #persistSoon(): void {
    if (!this.#storage || this.#persistQueued) return
    this.#persistQueued = true
    queueMicrotask(() => this.#persistNow())
  }

  #persistNow(): void {
    this.#persistQueued = false
    if (!this.#storage) return
    const all: string[] = this.#beaconed.map((i) => i.json)
    for (const items of this.#inflight.values()) for (const i of items) all.push(i.json)
    for (const i of this.#queue.snapshot()) all.push(i.json)
    this.#storage.save(all)
  }

  // ── reporting ──

  #report(
    code: LastseenErrorCode,
    message: string,
    events: number,
    cause?: unknown,
    status?: number,
  ): void {
    const error = new LastseenError(code, message, {
      events,
      ...(cause === undefined ? {} : { cause }),
      ...(status === undefined ? {} : { status }),
    })
    if (this.#config.onError) {
      try {
        this.#config.onError(error)
      } catch {}
    } else if (this.#config.debug) console.error(error.message)
  }

  #log(...args: unknown[]): void {
    if (this.#config.debug) console.debug('[lastseen]', ...args)
  }
}
