/**
 * @module
 * The tracker core, the same on every runtime: it owns the queue, decides when to send
 * (debounce, maxWait, flushAt, maxBatchBytes), sends through the transport, splits on 413,
 * keeps the events through an outage and backs off by its length, counts everything, and
 * sends each user's heartbeat once per interval.
 * Runtime differences (timers, storage, page lifecycle) come from the {@link Platform}.
 */

import { LIMITS, utf8Length, type WireEvent, type WireTrackEvent } from '@lastseen/protocol'
import type { Config } from '../config.js'
import { COMMON_DEFAULTS, LIBRARY } from '../defaults.js'
import { LastseenError, type LastseenErrorCode } from '../errors.js'
import { heartbeatId, randomId } from '../ids.js'
import type { FlushOptions } from '../options.js'
import type { Identity, Platform } from '../platform/platform.js'
import type { TrackContext, TrackerStats } from '../types.js'
import { tooDeep } from './depth.js'
import { createQueue, type QueuedEvent } from './queue.js'
import { settleWithin } from './settle.js'
import { createTransport } from './transport.js'

/** Requests in flight at once from automatic sends; `flush()` sends everything at once. */
const MAX_CONCURRENT = 2
/** Room for the envelope (`sentAt`, `library`, `dropped`, `writeKey`) around the events. */
const ENVELOPE_BYTES = 512
/** Longest delay before unsent events are written to storage (browsers). */
const PERSIST_EVERY_MS = 100
/** Why an event with too deep properties is refused. */
const DEEP = `properties nested over ${LIMITS.maxPropertiesDepth} levels deep`

interface Debounced {
  event: WireTrackEvent
  timer: unknown
}

export function createCore(config: Config, platform: Platform) {
  const queue = createQueue(config.maxQueueSize, config.maxQueueBytes)
  const pending = new Map<string, Debounced>()
  const inflight = new Map<Promise<void>, QueuedEvent[]>()
  const counts = { sent: 0, duplicates: 0, retried: 0, dropped: 0, rejected: 0, failed: 0 }
  const transport = createTransport(config, {
    keyInBody: platform.keyInBody,
    keepalive: platform.keepalive,
    onRetry: () => counts.retried++,
  })
  const heartbeats = platform.heartbeats(config)
  const storage = config.persist ? platform.storage(config) : undefined
  const identity = platform.identity(config)
  const lifecycle = platform.lifecycle()
  const abort = new AbortController()
  /** Sent by beacon: no answer will come, so they stay stored until sent again and acknowledged. */
  let beaconed: QueuedEvent[] = []
  let timer: unknown
  let oldestAt = 0
  let lastAt = 0
  let backoffUntil = 0
  /** When the first send that failed since the last answer began (0: the service answers). */
  let outageSince = 0
  let unreportedDrops = 0
  let overflowReported = false
  let persistQueued = false
  let closed: Promise<void> | undefined
  let user: Identity | undefined = identity.load()

  // ── public operations (each guarded: nothing escapes into the host) ──

  function track(
    name: string,
    props: Record<string, unknown> | undefined,
    context: TrackContext = {},
  ): void {
    if (closed) {
      log('track() after shutdown() ignored')
      return
    }
    const userId = context.userId ?? user?.userId
    const now = Date.now()
    const at = context.timestamp === undefined ? now : new Date(context.timestamp).getTime()
    const problem = !isName(name)
      ? `needs an event name of 1 to ${LIMITS.maxNameLength} characters`
      : noUser(userId) || (Number.isFinite(at) ? '' : 'has an invalid timestamp')
    if (problem) {
      report('invalid_event', `track(${JSON.stringify(name)}) ${problem}`, 1)
      return
    }
    if (tooDeep(props)) {
      // The service refuses it, and some runtimes cannot even serialize it: refused here, so it
      // can never hold a batch (or a browser's stored queue) hostage.
      counts.rejected++
      report('invalid_event', `track(${JSON.stringify(name)}) has ${DEEP}`, 1)
      return
    }
    const accountId = accountOf(userId as string, context.accountId)
    if (context.timestamp === undefined) heartbeat(userId as string, accountId, now)
    const event: WireTrackEvent = {
      id: randomId(),
      type: 'track',
      event: name,
      userId: userId as string,
      ...(accountId === undefined ? {} : { accountId }),
      timestamp: new Date(at).toISOString(),
      ...(props === undefined ? {} : { properties: props }),
    }
    const debounceMs = context.debounceMs
    if (typeof debounceMs === 'number' && debounceMs > 0) debounce(event, debounceMs)
    else enqueue(event)
  }

  function seen(
    userId: string | undefined,
    options: { accountId?: string | undefined } = {},
  ): void {
    if (closed) return
    const who = userId ?? user?.userId
    const problem = noUser(who)
    if (problem) report('invalid_event', `seen() ${problem}`, 1)
    else heartbeat(who as string, accountOf(who as string, options.accountId), Date.now())
  }

  function isName(value: unknown): value is string {
    return typeof value === 'string' && value !== '' && value.length <= LIMITS.maxNameLength
  }

  /** Why `userId` is no valid user ('' when it is one). */
  function noUser(userId: unknown): string {
    return isName(userId)
      ? ''
      : typeof userId === 'string' && userId
        ? `has a userId over ${LIMITS.maxNameLength} characters`
        : 'has no user: pass a userId or call identify() first'
  }

  function accountOf(userId: string, accountId: string | undefined): string | undefined {
    return accountId ?? (userId === user?.userId ? user.accountId : undefined)
  }

  function identify(userId: string, accountId: string | undefined): void {
    const problem = noUser(userId)
    if (problem) {
      report('invalid_event', `identify() ${problem}`, 0)
      return
    }
    user = { userId, ...(accountId === undefined ? {} : { accountId }) }
    identity.save(user)
    seen(userId, user)
  }

  function reset(): void {
    user = undefined
    identity.save(undefined)
  }

  /** Send everything queued now, and wait for it and for what is in flight, within the timeout. */
  async function flush(options: FlushOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? COMMON_DEFAULTS.flushTimeoutMs
    promoteDebounced()
    const waits = [...inflight.keys()]
    while (queue.length > 0) waits.push(sendChunk(chunkBytes(), false))
    if (waits.length === 0) return
    const settled = await settleWithin(Promise.all(waits), timeoutMs)
    if (persistQueued) persistNow()
    if (!settled) {
      const unsent = queue.length + inflightCount()
      report('timeout', `flush() timed out after ${timeoutMs} ms, ${unsent} events unsent`, unsent)
    }
  }

  /** Flush, then stop: timers cleared, requests still open aborted, listeners removed. */
  function shutdown(options: FlushOptions = {}): Promise<void> {
    closed ??= flush(options).then(() => {
      clearTimer()
      abort.abort()
      persistNow()
      lifecycle.dispose()
    })
    return closed
  }

  function stats(): TrackerStats {
    return {
      queued: queue.length + pending.size,
      inFlight: inflightCount(),
      ...counts,
    }
  }

  // ── heartbeat ──

  function heartbeat(userId: string, accountId: string | undefined, now: number): void {
    const bucket = Math.floor(now / config.heartbeatIntervalMs)
    const last = heartbeats.get(userId)
    if (last !== undefined && last >= bucket) return
    heartbeats.set(userId, bucket)
    enqueue({
      id: heartbeatId(userId, bucket),
      type: 'seen',
      userId,
      ...(accountId === undefined ? {} : { accountId }),
      timestamp: new Date(now).toISOString(),
    })
  }

  // ── queueing and scheduling ──

  function debounce(event: WireTrackEvent, ms: number): void {
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
  }

  function promoteDebounced(): void {
    for (const { event, timer } of pending.values()) {
      platform.clearTimer(timer)
      enqueue(event)
    }
    pending.clear()
  }

  function enqueue(input: WireEvent): void {
    let event: WireEvent | null | undefined = input
    if (config.beforeSend) {
      try {
        event = config.beforeSend(input)
      } catch (error) {
        counts.rejected++
        report('invalid_event', `beforeSend threw: ${String(error)}`, 1, error)
        return
      }
      if (!event) return
    }
    let json: string
    try {
      json = JSON.stringify(event)
    } catch (error) {
      counts.rejected++
      report('invalid_event', `event is not serializable: ${String(error)}`, 1, error)
      return
    }
    const bytes = utf8Length(json)
    if (bytes > LIMITS.maxEventBytes) {
      counts.rejected++
      const name = event.type === 'track' ? event.event : event.type
      report(
        'invalid_event',
        `event '${name}' is ${bytes} bytes, over the ${LIMITS.maxEventBytes}-byte limit`,
        1,
      )
      return
    }
    const now = Date.now()
    if (queue.length === 0) oldestAt = now
    lastAt = now
    countDropped(queue.push({ id: event.id, json, bytes }))
    persistSoon()
    pump(false)
  }

  function countDropped(n: number): void {
    if (n === 0) return
    counts.dropped += n
    unreportedDrops += n
    // Once per overflow (until a batch gets through), not once per dropped event.
    if (overflowReported) return
    overflowReported = true
    report(
      'queue_full',
      `queue full (${config.maxQueueSize} events or ${config.maxQueueBytes} bytes): dropping the oldest; getStats().dropped counts them`,
      n,
    )
  }

  function dueAt(): number {
    const { debounceMs, maxWaitMs } = config
    return Math.max(Math.min(lastAt + debounceMs, oldestAt + maxWaitMs), backoffUntil)
  }

  /** Start sends that are due (`force`: the timer fired), then arm the timer for the rest. */
  function pump(force: boolean): void {
    const { flushAt, maxBatchBytes } = config
    while (queue.length > 0 && inflight.size < MAX_CONCURRENT) {
      const full = queue.length >= flushAt || queue.bytes >= maxBatchBytes
      if (!(force || (full && Date.now() >= backoffUntil))) break
      void sendChunk(chunkBytes(), false)
      if (queue.length > 0) oldestAt = Date.now()
    }
    // With every slot busy, the end of a send calls pump() again: no timer needed meanwhile.
    if (queue.length > 0 && inflight.size < MAX_CONCURRENT) arm()
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

  function clearTimer(): void {
    if (timer !== undefined) platform.clearTimer(timer)
    timer = undefined
  }

  function chunkBytes(): number {
    return config.maxBatchBytes - ENVELOPE_BYTES
  }

  // ── sending ──

  function sendChunk(maxBytes: number, urgent: boolean): Promise<void> {
    const items = queue.take(LIMITS.maxBatchEvents, maxBytes)
    const sending = deliver(items, urgent).then(() => {
      inflight.delete(sending)
      persistSoon()
      if (!closed && queue.length > 0) pump(false)
    })
    inflight.set(sending, items)
    return sending
  }

  function envelope(items: QueuedEvent[], dropped: number): string {
    let body = `{"sentAt":"${new Date().toISOString()}","library":${JSON.stringify(LIBRARY)}`
    if (dropped > 0) body += `,"dropped":${dropped}`
    if (platform.keyInBody) body += `,"writeKey":${JSON.stringify(config.writeKey)}`
    return `${body},"batch":[${items.map((i) => i.json).join(',')}]}`
  }

  async function deliver(items: QueuedEvent[], urgent: boolean): Promise<void> {
    const started = Date.now()
    const dropped = unreportedDrops
    const body = envelope(items, dropped)
    const outcome = urgent
      ? await transport.sendUrgent(body)
      : await transport.send(body, utf8Length(body), abort.signal, outageSince > 0)
    // Any answer but a failure means the service is reachable again.
    if (outcome.kind !== 'failed') outageSince = backoffUntil = 0
    switch (outcome.kind) {
      case 'ok': {
        const { accepted = 0, duplicates = 0, rejected = [] } = outcome.response
        unreportedDrops = Math.max(0, unreportedDrops - dropped)
        overflowReported = false
        counts.sent += accepted + duplicates
        counts.duplicates += duplicates
        log(`sent ${items.length} events: ${accepted} accepted, ${duplicates} duplicates`)
        if (rejected.length > 0) {
          counts.rejected += rejected.length
          const reasons = rejected.slice(0, 3).map((r) => `#${r.index}: ${r.reason}`)
          report(
            'rejected',
            `server refused ${rejected.length} events (${reasons.join('; ')})`,
            rejected.length,
          )
        }
        return
      }
      case 'too_large': {
        if (items.length === 1) {
          counts.rejected++
          report('http_error', `server refused an event as too large: ${outcome.message}`, 1)
          return
        }
        const half = Math.ceil(items.length / 2)
        log(`413: splitting ${items.length} events in two`)
        await deliver(items.slice(0, half), urgent)
        await deliver(items.slice(half), urgent)
        return
      }
      case 'refused':
        counts.failed += items.length
        report(
          'http_error',
          `server refused a batch of ${items.length} events (${outcome.status}): ${outcome.message}`,
          items.length,
          undefined,
          outcome.status,
        )
        return
      case 'failed': {
        countDropped(queue.unshift(items))
        oldestAt = Date.now()
        if (abort.signal.aborted) return
        const wait = backoff(started, outcome.retryAfterMs)
        backoffUntil = Math.max(backoffUntil, Date.now() + wait)
        report(
          'network_error',
          `sending ${items.length} events failed, next try in ${wait | 0} ms: ${outcome.message}`,
          items.length,
          outcome.cause,
        )
      }
    }
  }

  /**
   * How long to keep the queue before sending again while the service is down (a request's
   * quick retries were not enough; from then on each try is one request): what the last
   * answer's `Retry-After` asked for, else half as long as the outage has lasted so far, from
   * `retry.delayMs` up to `retry.backoffLimitMs`. So the waits grow exponentially, and the end of
   * an outage is noticed at worst half its length later. Jittered (half to all of it), so that
   * many processes do not all come back in the same instant.
   */
  function backoff(started: number, retryAfterMs: number | undefined): number {
    const { delayMs, backoffLimitMs, maxRetryAfterMs } = config.retry
    outageSince ||= started
    if (retryAfterMs !== undefined) {
      return Math.min(Math.max(retryAfterMs, delayMs), maxRetryAfterMs)
    }
    const ms = Math.min(backoffLimitMs, Math.max(delayMs, (Date.now() - outageSince) / 2))
    return ms / 2 + (Math.random() * ms) / 2
  }

  function inflightCount(): number {
    let n = 0
    for (const items of inflight.values()) n += items.length
    return n
  }

  // ── browsers: page hide and storage ──

  /**
   * The page is hidden (`unloading`: it is going away). Everything queued is sent now, in chunks
   * that fit 64 KB, and stays stored until acknowledged: `keepalive` fetches while the page may
   * still read the answer, `sendBeacon` for what is left at unload (no answer ever comes, so
   * those are resent by the next page and deduplicated by the server).
   */
  function onHide(unloading: boolean): void {
    promoteDebounced()
    clearTimer()
    const chunk = Math.min(config.maxBatchBytes, LIMITS.maxBeaconBytes) - ENVELOPE_BYTES
    const beacon = platform.beacon
    while (queue.length > 0) {
      if (!unloading || !beacon) {
        void sendChunk(chunk, true)
        continue
      }
      const items = queue.take(LIMITS.maxBatchEvents, chunk)
      beaconed.push(...items)
      if (!beacon(config.batchUrl, envelope(items, unreportedDrops))) break
    }
    persistNow()
  }

  /** The page is back: beaconed events got no answer, so send them again (the server dedupes). */
  function onVisible(): void {
    if (beaconed.length > 0) {
      const items = beaconed
      beaconed = []
      countDropped(queue.unshift(items))
      pump(false)
    }
    if (user) seen(user.userId, user)
  }

  function restore(events: string[]): void {
    const known = new Set<string>()
    for (const item of queue.snapshot()) known.add(item.id)
    const items: QueuedEvent[] = []
    let deep = 0
    for (const json of events) {
      try {
        const event = JSON.parse(json) as WireEvent
        if (typeof event?.id !== 'string' || known.has(event.id)) continue
        known.add(event.id)
        // Stored by an SDK that did not check the depth yet: the service would never take it.
        if (event.type === 'track' && tooDeep(event.properties)) deep++
        else items.push({ id: event.id, json, bytes: utf8Length(json) })
      } catch {}
    }
    if (deep > 0) {
      counts.rejected += deep
      report('invalid_event', `dropped ${deep} stored events with ${DEEP}`, deep)
      persistSoon()
    }
    if (items.length === 0) return
    log(`restored ${items.length} unsent events`)
    countDropped(queue.unshift(items))
    oldestAt = lastAt = Date.now()
    persistSoon()
    pump(false)
  }

  /**
   * Write storage at most every PERSIST_EVERY_MS: serializing a long queue on every `track()`
   * would cost the page frames. Page hide, `flush()` and `shutdown()` write at once.
   */
  function persistSoon(): void {
    if (!storage || persistQueued) return
    persistQueued = true
    platform.setTimer(() => persistQueued && persistNow(), PERSIST_EVERY_MS)
  }

  function persistNow(): void {
    persistQueued = false
    if (!storage) return
    const all: string[] = beaconed.map((i) => i.json)
    for (const items of inflight.values()) for (const i of items) all.push(i.json)
    for (const i of queue.snapshot()) all.push(i.json)
    storage.save(all)
  }

  // ── reporting ──

  function report(
    code: LastseenErrorCode,
    message: string,
    events: number,
    cause?: unknown,
    status?: number,
  ): void {
    const error = new LastseenError(code, message, { events, cause, status })
    if (config.onError) {
      try {
        config.onError(error)
      } catch {}
    } else if (config.debug) console.error(error.message)
  }

  function log(...args: unknown[]): void {
    if (config.debug) console.debug('[lastseen]', ...args)
  }

  lifecycle.onHide?.((unloading) => onHide(unloading))
  lifecycle.onVisible?.(() => onVisible())
  lifecycle.onExit?.(() => void flush())
  if (storage) {
    restore(storage.load())
    storage.onAdopt((events) => restore(events))
  }

  return { track, seen, identify, reset, flush, shutdown, stats }
}

/** A tracker core. */
export type Core = ReturnType<typeof createCore>
