/**
 * @module
 * Sending batches and acting on the outcome: acknowledged events are counted (and the
 * service's per-event rejections reported), a 413 splits the batch in two until it fits, a batch
 * refused as a whole is dropped, and a failure puts the events back at the front of the queue
 * and pauses automatic sends for the outage backoff. Each body also tells the service how many
 * events the full queue dropped since the last stored batch (`drops.ts`). Every request in
 * flight is tracked with its events, so that `flush()` can wait for them and a browser can keep
 * them stored.
 */
import { LIMITS, utf8Length } from '@lastseen/protocol'
import type { Config } from '../config.js'
import { LIBRARY } from '../defaults.js'
import type { Platform } from '../platform/platform.js'
import { outageWait } from './backoff.js'
import { createDrops } from './drops.js'
import type { EventQueue, QueuedEvent } from './queue.js'
import type { Counts, Log, Report } from './report.js'
import type { Scheduler } from './scheduler.js'
import { createTransport, type Sender } from './transport.js'

/** Room for the envelope (`sentAt`, `library`, `dropped`, `writeKey`) around the events. */
const ENVELOPE_BYTES = 512

/** The fix for each answer that means the tracker's options are wrong. */
const MISCONFIGURED: Record<number, (config: Config) => string> = {
  401: () =>
    'it does not know this write key; check `writeKey` (a write key, lsw_…, of this service: `lastseen-ingest keys list`)',
  403: () =>
    'this key may not write; set `writeKey` to a write key (lsw_…), not a read or admin key',
  404: (config) =>
    `nothing answers at ${config.batchUrl}; check \`endpoint\` (the service's base URL, without a path)`,
}

/** What delivery shares with the rest of the core. */
export interface DeliveryParts {
  queue: EventQueue
  scheduler: Scheduler
  counts: Counts
  report: Report
  log: Log
  /** A send settled (its events left `inflight`). */
  settled(): void
  /** Aborted at shutdown: requests still open give up. */
  signal: AbortSignal
}

export function createDelivery(config: Config, platform: Platform, parts: DeliveryParts) {
  const { queue, scheduler, counts, report, log, signal } = parts
  const drops = createDrops(config, counts, report)
  /** POST one batch, with quick retries. */
  const post = createTransport(config, {
    keyInBody: platform.keyInBody,
    keepalive: platform.keepalive,
    onRetry: () => counts.retried++,
  })
  /** Requests not yet answered, with their events. */
  const inflight = new Map<Promise<void>, QueuedEvent[]>()
  /** When the first send that failed since the last answer began (0: the service answers). */
  let outageSince = 0

  /** Whether the console was told once of an answer that means the options are wrong. */
  let warned = false

  /**
   * A 401, 403 or 404 means the tracker's options are wrong, and every batch will be dropped
   * until they are fixed: said once on the console, naming the fix, even without `debug` (unless
   * `onError` takes the errors), as a wrong key is otherwise silent.
   */
  function misconfigured(status: number): void {
    const fix = MISCONFIGURED[status]
    if (warned || !fix || config.onError) return
    warned = true
    console.warn(
      `[lastseen] the service answered ${status}: ${fix(config)}. Events are dropped until this is fixed.`,
    )
  }

  /** Put events back at the front of the queue (a failed send, a restored or unanswered beacon). */
  function putBack(items: QueuedEvent[], asNew = false): void {
    drops.add(queue.unshift(items))
    scheduler.requeued(asNew)
  }

  /** Queued events, oldest first, for a request body of at most `maxBytes`. */
  const take = (maxBytes: number) => queue.take(LIMITS.maxBatchEvents, maxBytes - ENVELOPE_BYTES)

  /** The body of a batch of `items`, telling the service of drops it does not know about yet. */
  function body(items: QueuedEvent[], dropped = drops.unreported()): string {
    let text = `{"sentAt":"${new Date().toISOString()}","library":${JSON.stringify(LIBRARY)}`
    if (dropped > 0) text += `,"dropped":${dropped}`
    if (platform.keyInBody) text += `,"writeKey":${JSON.stringify(config.writeKey)}`
    return `${text},"batch":[${items.map((i) => i.json).join(',')}]}`
  }

  /**
   * Send the oldest queued events in one request body of at most `maxBytes`; `via`: another
   * way to send it (once, without retries: a browser's page is being hidden).
   */
  function send(maxBytes: number, via?: Sender): Promise<void> {
    const items = take(maxBytes)
    // The events leave the queue now; the body is built and sent in a microtask, so a `track()`
    // that fills a batch does not pay for it. Not so for `via`: a page being hidden must call
    // it before returning.
    const sending = (via ? deliver(items, via) : Promise.resolve().then(() => deliver(items))).then(
      () => {
        inflight.delete(sending)
        parts.settled()
      },
    )
    inflight.set(sending, items)
    return sending
  }

  async function deliver(items: QueuedEvent[], via?: Sender): Promise<void> {
    const started = Date.now()
    const dropped = drops.unreported()
    const text = body(items, dropped)
    const outcome = via
      ? await via(text)
      : await post(text, utf8Length(text), signal, outageSince > 0)
    // Any answer but a failure means the service is reachable again.
    if (outcome.kind !== 'failed') {
      outageSince = 0
      scheduler.resume()
    }
    switch (outcome.kind) {
      case 'ok': {
        const { accepted = 0, duplicates = 0, rejected = [] } = outcome.response
        drops.delivered(dropped)
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
        await deliver(items.slice(0, half), via)
        await deliver(items.slice(half), via)
        return
      }
      case 'refused':
        counts.failed += items.length
        misconfigured(outcome.status)
        report(
          'http_error',
          `server refused a batch of ${items.length} events (${outcome.status}): ${outcome.message}`,
          items.length,
          undefined,
          outcome.status,
        )
        return
      case 'failed': {
        putBack(items)
        if (signal.aborted) return
        outageSince ||= started
        const wait = outageWait(config.retry, outageSince, outcome.retryAfterMs)
        scheduler.pause(wait)
        report(
          'network_error',
          `sending ${items.length} events failed, next try in ${wait | 0} ms: ${outcome.message}`,
          items.length,
          outcome.cause,
        )
      }
    }
  }

  return {
    inflight: inflight as ReadonlyMap<Promise<void>, QueuedEvent[]>,
    send,
    take,
    body,
    putBack,
    /** The queue dropped `n` events to stay within bounds. */
    dropped: drops.add,
  }
}

export type Delivery = ReturnType<typeof createDelivery>
