/**
 * @module
 * What the core needs from a runtime: timers, where heartbeats and the identified user are
 * remembered, and what the runtime adds to the core (`attach`: the page lifecycle and storage of
 * browsers, the process exit of Node), so that code for one runtime ships in no other's build.
 * Each runtime implements it in a small file.
 */
import type { Config } from '../config.js'
import type { EventQueue, QueuedEvent } from '../core/queue.js'
import type { Sender } from '../core/transport.js'
import type { RuntimeDefaults } from '../defaults.js'

/** Where each user's last heartbeat bucket is remembered. */
export interface HeartbeatStore {
  get(userId: string): number | undefined
  set(userId: string, bucket: number): void
}

/** The user a browser tracker tracks, kept across reloads. */
export interface Identity {
  userId: string
  accountId?: string
  /** The last `identify` event queued for this user: a hash of its contents and hour. */
  sent?: string
}

/**
 * What a platform may do with the core it is attached to: enough to send what is queued by its
 * own means (a beacon), keep it elsewhere (storage) and put it back. Internal.
 */
export interface CoreHandle {
  readonly config: Config
  /** The queued events. */
  readonly queue: EventQueue
  /** The events of each request not answered yet. */
  readonly inflight: ReadonlyMap<Promise<void>, QueuedEvent[]>
  /** Queue every debounced call now. */
  promote(): void
  /** Clear the send timer (everything is about to go out now). */
  stopTimer(): void
  /**
   * Send the oldest queued events in a body of at most `maxBytes`; `via`: another way to send it
   * (once, without retries).
   */
  send(maxBytes: number, via?: Sender): Promise<void>
  /** Take the oldest queued events for a body of at most `maxBytes`, to send by other means. */
  take(maxBytes: number): QueuedEvent[]
  /** The request body of a batch of `items`. */
  body(items: QueuedEvent[]): string
  /** Put `items` back at the front of the queue and schedule them; `asNew`: wait as for new ones. */
  requeue(items: QueuedEvent[], asNew: boolean): void
  /** Refuse `n` events: counted as rejected and reported as `invalid_event`. */
  refuse(message: string, n: number): void
  log(...args: unknown[]): void
  /** The identified user's heartbeat, if one is due. */
  heartbeat(): void
  flush(): Promise<void>
}

/** What a platform added to a core. */
export interface Attachment {
  /** The queue or the requests in flight changed; `now`: act at once (flush, shutdown), else soon. */
  changed?(now: boolean): void
  /** Remove every listener: the tracker was shut down. */
  dispose(): void
}

/** One runtime's hooks. */
export interface Platform {
  /** Defaults of the options that depend on the runtime. */
  defaults: RuntimeDefaults
  /** Browsers send `text/plain` bodies with the write key inside, which needs no CORS preflight. */
  keyInBody: boolean
  /** Whether requests may use `keepalive` (browsers; bodies up to `LIMITS.maxBeaconBytes`). */
  keepalive: boolean
  /** `setTimeout` that does not keep a Node process alive. */
  setTimer(fn: () => void, ms: number): unknown
  clearTimer(handle: unknown): void
  heartbeats(config: Config): HeartbeatStore
  identity(config: Config): { load(): Identity | undefined; save(id: Identity | undefined): void }
  /**
   * What the runtime adds to each core, if anything: a flush before the process exits (Node),
   * the stored queue and delivery on page hide (browsers).
   */
  attach?(core: CoreHandle): Attachment
}
