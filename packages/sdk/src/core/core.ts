/**
 * @module
 * The tracker core, the same on every runtime: `track()`, `seen()`, `identify()`, `flush()` and
 * `shutdown()` over its parts, each in its own file: the queue (`queue.ts`) fed through
 * `intake.ts`, debounced calls (`debounce.ts`), the heartbeat (`heartbeat.ts`), when to send
 * (`scheduler.ts`), sending and what becomes of each batch (`delivery.ts`, with `transport.ts`,
 * `backoff.ts` and `drops.ts`), and how problems are reported (`report.ts`). What differs per
 * runtime (timers, where heartbeats and the user are remembered, the page or process lifecycle,
 * storage) comes from the {@link Platform}, which can attach to a core through a
 * {@link CoreHandle}.
 */
import {
  LIMITS,
  type WireEvent,
  type WireGroupEvent,
  type WireIdentifyEvent,
  type WireTrackEvent,
  type WireTraits,
} from '@lastseen/protocol'
import type { Config } from '../config.js'
import { COMMON_DEFAULTS } from '../defaults.js'
import { heartbeatId, randomId } from '../ids.js'
import type { FlushOptions } from '../options.js'
import type { Attachment, CoreHandle, Identity, Platform } from '../platform/platform.js'
import type { TrackContext, TrackerStats } from '../types.js'
import { createDebouncer } from './debounce.js'
import { createDelivery } from './delivery.js'
import { TOO_DEEP, tooDeep } from './depth.js'
import { createHeartbeat } from './heartbeat.js'
import { createIntake, type Refuse } from './intake.js'
import { createQueue } from './queue.js'
import { type Counts, createLog, createReport } from './report.js'
import { createScheduler, MAX_CONCURRENT } from './scheduler.js'
import { settleWithin } from './settle.js'
import { isoTime } from './timestamp.js'
import { traitsProblem } from './traits.js'

/** The context of a call that passed none (one object, not one per call). */
const NO_CONTEXT: TrackContext = {}

export function createCore(config: Config, platform: Platform) {
  const counts: Counts = { sent: 0, duplicates: 0, retried: 0, dropped: 0, rejected: 0, failed: 0 }
  const report = createReport(config)
  const log = createLog(config)
  const refuse: Refuse = (message, n = 1, cause) => {
    counts.rejected += n
    report('invalid_event', message, n, cause)
  }
  const queue = createQueue(config.maxQueueSize, config.maxQueueBytes)
  const intake = createIntake(config, refuse)
  const abort = new AbortController()
  const identity = platform.identity(config)
  let user: Identity | undefined = identity.load()
  let closed: Promise<void> | undefined
  /** What the platform added (set last: attaching may already restore stored events). */
  let attachment: Attachment | undefined

  const scheduler = createScheduler(
    config,
    platform,
    queue,
    () => delivery.inflight.size,
    () => void delivery.send(config.maxBatchBytes),
  )
  const delivery = createDelivery(config, platform, {
    queue,
    scheduler,
    counts,
    report,
    log,
    settled() {
      attachment?.changed?.(false)
      if (!closed && queue.length > 0) scheduler.pump(false)
    },
    signal: abort.signal,
  })
  const debouncer = createDebouncer(platform, enqueue)
  const heartbeat = createHeartbeat(config, platform.heartbeats(config), enqueue)

  function enqueue(event: WireEvent): void {
    const item = intake(event)
    if (!item) return
    scheduler.arrived(Date.now())
    delivery.dropped(queue.push(item))
    attachment?.changed?.(false)
    scheduler.pump(false)
  }

  function track(
    name: string,
    props: Record<string, unknown> | undefined,
    context: TrackContext = NO_CONTEXT,
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
      refuse(`track(${JSON.stringify(name)}) ${problem}`)
      return
    }
    if (tooDeep(props)) {
      // The service refuses it, and some runtimes cannot even serialize it: refused here, so it
      // can never hold a batch (or a browser's stored queue) hostage.
      refuse(`track(${JSON.stringify(name)}) has ${TOO_DEEP}`)
      return
    }
    const accountId = accountOf(userId as string, context.accountId)
    if (context.timestamp === undefined) heartbeat(userId as string, accountId, now)
    // Built key by key (no spreads): the wire's key order, without copies on the hot path.
    const event = { id: randomId(), type: 'track', event: name, userId } as WireTrackEvent
    if (accountId !== undefined) event.accountId = accountId
    event.timestamp = isoTime(at)
    if (props !== undefined) event.properties = props
    const debounceMs = context.debounceMs
    if (typeof debounceMs === 'number' && debounceMs > 0) debouncer.add(event, debounceMs)
    else enqueue(event)
  }

  function seen(
    userId: string | undefined,
    options: { accountId?: string | undefined } = {},
  ): void {
    if (closed) return
    const who = userId ?? user?.userId
    const problem = noUser(who)
    if (problem) refuse(`seen() ${problem}`)
    else heartbeat(who as string, accountOf(who as string, options.accountId), Date.now())
  }

  /**
   * Make `userId` the identified user and mark them seen. With `traits`, an `identify` event is
   * queued too, but not again for a call the same as the last one of this heartbeat interval (a
   * page that identifies on every load sends its traits once an hour at most). Without traits
   * nothing but the heartbeat is sent, as before: the account link rides on it and on every
   * event.
   */
  function identify(userId: string, accountId: string | undefined, traits?: unknown): void {
    const problem = noUser(userId)
    if (problem) {
      refuse(`identify() ${problem}`)
      return
    }
    const before = user?.userId === userId ? user.sent : undefined
    user = { userId, ...(accountId === undefined ? {} : { accountId }) }
    const now = Date.now()
    if (traits !== undefined) {
      const sent = heartbeatId(JSON.stringify([userId, accountId, traits]), bucketOf(now))
      if (before === sent || identifyEvent(userId, accountId, traits, now)) user.sent = sent
    } else if (before !== undefined) user.sent = before
    identity.save(user)
    seen(userId, user)
  }

  /** Queue an `identify` event (not activity: no heartbeat); whether it was queued. */
  function identifyEvent(
    userId: string,
    accountId: string | undefined,
    traits: unknown,
    now = Date.now(),
  ): boolean {
    if (closed) return false
    const who = noUser(userId)
    if (who) {
      refuse(`identify() ${who}`)
      return false
    }
    const problem = traitsProblem(traits)
    if (problem) {
      refuse(`identify(${JSON.stringify(userId)}) ${problem}`)
      return false
    }
    const event: WireIdentifyEvent = {
      id: randomId(),
      type: 'identify',
      userId,
      ...(accountId === undefined ? {} : { accountId }),
      timestamp: new Date(now).toISOString(),
      traits: traits as WireTraits,
    }
    enqueue(event)
    return true
  }

  /** Queue a `group` event for `accountId`, from the identified user if any (not activity). */
  function group(accountId: string, traits: unknown): void {
    if (closed) {
      log('group() after shutdown() ignored')
      return
    }
    if (!isName(accountId)) {
      const what = `needs an accountId of 1 to ${LIMITS.maxNameLength} characters`
      refuse(`group() ${what}`)
      return
    }
    const problem = traitsProblem(traits)
    if (problem) {
      refuse(`group(${JSON.stringify(accountId)}) ${problem}`)
      return
    }
    const event: WireGroupEvent = {
      id: randomId(),
      type: 'group',
      accountId,
      ...(user ? { userId: user.userId } : {}),
      timestamp: new Date().toISOString(),
      traits: traits as WireTraits,
    }
    enqueue(event)
  }

  function reset(): void {
    user = undefined
    identity.save(undefined)
  }

  /**
   * Send what is queued now, each event once, with at most {@link MAX_CONCURRENT} requests in
   * flight (a long queue is not sent all at once); settles when those requests and the ones
   * already in flight have. Events of a failed request go back to the queue for later.
   */
  async function sendQueued(): Promise<void> {
    // The events this flush is for: queued now, or in requests already in flight.
    const mine = new Set<string>()
    for (const item of queue.snapshot()) mine.add(item.id)
    for (const items of delivery.inflight.values()) for (const item of items) mine.add(item.id)
    let budget = queue.length
    for (;;) {
      if (budget > 0 && queue.length > 0 && delivery.inflight.size < MAX_CONCURRENT) {
        const sending = delivery.send(config.maxBatchBytes)
        budget -= delivery.inflight.get(sending)?.length ?? budget
        continue
      }
      // Requests carrying the flush's events, whoever started them (the scheduler sends too).
      const open = [...delivery.inflight]
        .filter(([, items]) => items.some((i) => mine.has(i.id)))
        .map(([request]) => request)
      if (open.length > 0) await Promise.race(open)
      else if (budget > 0 && queue.length > 0) await Promise.race(delivery.inflight.keys())
      else return
    }
  }

  /**
   * Send everything queued now, and wait for it and for what is in flight, within the timeout.
   * @param caller names the call in the timeout's report
   */
  async function flush(options: FlushOptions = {}, caller = 'flush()'): Promise<void> {
    const timeoutMs = options.timeoutMs ?? COMMON_DEFAULTS.flushTimeoutMs
    debouncer.promote()
    if (queue.length === 0 && delivery.inflight.size === 0) return
    const settled = await settleWithin(sendQueued(), timeoutMs)
    attachment?.changed?.(true)
    if (!settled) {
      const unsent = queue.length + inFlight()
      report(
        'timeout',
        `${caller} timed out after ${timeoutMs} ms, ${unsent} events unsent`,
        unsent,
      )
    }
  }

  /** Flush, then stop: timers cleared, requests still open aborted, listeners removed. */
  function shutdown(options: FlushOptions = {}): Promise<void> {
    closed ??= flush(options, 'shutdown()').then(() => {
      scheduler.stop()
      abort.abort()
      attachment?.changed?.(true)
      attachment?.dispose()
    })
    return closed
  }

  function stats(): TrackerStats {
    return { queued: queue.length + debouncer.size(), inFlight: inFlight(), ...counts }
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

  function bucketOf(now: number): number {
    return Math.floor(now / config.heartbeatIntervalMs)
  }

  function accountOf(userId: string, accountId: string | undefined): string | undefined {
    return accountId ?? (userId === user?.userId ? user.accountId : undefined)
  }

  function inFlight(): number {
    let n = 0
    for (const items of delivery.inflight.values()) n += items.length
    return n
  }

  const handle: CoreHandle = {
    config,
    queue,
    inflight: delivery.inflight,
    promote: debouncer.promote,
    stopTimer: scheduler.stop,
    send: delivery.send,
    take: delivery.take,
    body: delivery.body,
    requeue(items, asNew) {
      delivery.putBack(items, asNew)
      attachment?.changed?.(false)
      scheduler.pump(false)
    },
    refuse,
    log,
    heartbeat() {
      if (user) seen(user.userId, user)
    },
    flush,
  }
  attachment = platform.attach?.(handle)

  return { track, seen, identify, identifyEvent, group, reset, flush, shutdown, stats }
}

/** A tracker core. */
export type Core = ReturnType<typeof createCore>
