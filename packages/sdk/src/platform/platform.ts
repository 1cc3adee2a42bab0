/**
 * @module
 * What the core needs from a runtime: timers, where heartbeats are remembered, where unsent
 * events are kept, and the page or process lifecycle. Each runtime implements it in a small file.
 */
import type { Config } from '../config.js'
import type { RuntimeDefaults } from '../defaults.js'

/** Where each user's last heartbeat bucket is remembered. */
export interface HeartbeatStore {
  get(userId: string): number | undefined
  set(userId: string, bucket: number): void
}

/** Where unacknowledged events survive a reload (browsers). */
export interface EventStorage {
  /** Events left by an earlier page of this tab, or by tabs that were closed. */
  load(): string[]
  /** Replace what is kept with `events` (serialized, oldest first). Never throws. */
  save(events: string[]): void
  /** Late arrivals: events of closed tabs found after start-up (Web Locks are asynchronous). */
  onAdopt(handler: (events: string[]) => void): void
}

/** The user a browser tracker tracks, kept across reloads. */
export interface Identity {
  userId: string
  accountId?: string
}

/** Page or process lifecycle hooks. */
export interface Lifecycle {
  /** The page is hidden (`unloading`: `pagehide`, it is going away): send what is queued now. */
  onHide?(handler: (unloading: boolean) => void): void
  /** The page became visible again. */
  onVisible?(handler: () => void): void
  /** The process is about to exit on its own (Node `beforeExit`). */
  onExit?(handler: () => void): void
  /** Remove every listener. */
  dispose(): void
}

/** One runtime's hooks. */
export interface Platform {
  /** Defaults of the options that depend on the runtime. */
  defaults: RuntimeDefaults
  /** Browsers send `text/plain` bodies with the write key inside, which needs no CORS preflight. */
  keyInBody: boolean
  /** Whether requests may use `keepalive` (browsers; bodies under 64 KB). */
  keepalive: boolean
  /** `setTimeout` that does not keep a Node process alive. */
  setTimer(fn: () => void, ms: number): unknown
  clearTimer(handle: unknown): void
  heartbeats(config: Config): HeartbeatStore
  storage(config: Config): EventStorage | undefined
  identity(config: Config): { load(): Identity | undefined; save(id: Identity | undefined): void }
  lifecycle(): Lifecycle
  /** Last-resort delivery while a page unloads: `navigator.sendBeacon`. */
  beacon?(url: string, body: string): boolean
}
