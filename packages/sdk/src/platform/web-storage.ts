/**
 * @module
 * Browser storage, every access guarded (a full quota, disabled storage or a sandboxed iframe
 * must never break the page). Unsent events live under one key per tab, so tabs do not send
 * each other's events; a tab holds a Web Lock on its key while it lives, and a new tab adopts
 * the events of tabs that are gone (their lock is free). {@link storedQueue} keeps a core's
 * unacknowledged events there and puts them back into its queue after a reload.
 */
import { utf8Length, type WireEvent } from '@lastseen/protocol'
import type { Config } from '../config.js'
import { TOO_DEEP, tooDeep } from '../core/depth.js'
import type { QueuedEvent } from '../core/queue.js'
import { heartbeatId, randomId } from '../ids.js'
import type { CoreHandle, HeartbeatStore, Identity } from './platform.js'

/** Longest delay before unsent events are written to storage. */
const PERSIST_EVERY_MS = 100

/** Where unacknowledged events survive a reload. */
export interface EventStorage {
  /** Events left by an earlier page of this tab, or by tabs that were closed (parsed JSON). */
  load(): unknown[]
  /** Replace what is kept with `events` (serialized, oldest first). Never throws. */
  save(events: string[]): void
  /** Late arrivals: events of closed tabs found after start-up (Web Locks are asynchronous). */
  onAdopt(handler: (events: unknown[]) => void): void
}

type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>

function web(kind: 'localStorage' | 'sessionStorage'): Store | undefined {
  try {
    return globalThis[kind] ?? undefined
  } catch {
    return undefined
  }
}
const get = (s: Store | undefined, key: string): string | null => {
  try {
    return s?.getItem(key) ?? null
  } catch {
    return null
  }
}
const set = (s: Store | undefined, key: string, value: string): boolean => {
  try {
    s?.setItem(key, value)
    return !!s
  } catch {
    return false
  }
}
const remove = (s: Store | undefined, key: string): void => {
  try {
    s?.removeItem(key)
  } catch {}
}

/** Keys of one project (endpoint + write key) on this origin. */
export const namespace = (config: Config): string =>
  `lastseen:${heartbeatId(`${config.batchUrl} ${config.writeKey}`, 0).slice(0, 8)}`

/** The events stored under `key`, as parsed (checked one by one when put back in a queue). */
function readEvents(s: Store | undefined, key: string): unknown[] {
  try {
    const list = JSON.parse(get(s, key) ?? '[]') as unknown
    return Array.isArray(list) ? list : []
  } catch {
    return []
  }
}

interface Locks {
  request(
    name: string,
    options: { ifAvailable: boolean },
    callback: (lock: unknown) => Promise<unknown> | unknown,
  ): Promise<unknown>
}

export function webEventStorage(config: Config): EventStorage | undefined {
  const local = web('localStorage')
  if (!local) return undefined
  const session = web('sessionStorage')
  const ns = namespace(config)
  const tabKey = `${ns}:tab`
  const prefix = `${ns}:q:`
  let key = prefix + (get(session, tabKey) ?? randomId())
  set(session, tabKey, key.slice(prefix.length))
  const adopters: Array<(events: unknown[]) => void> = []
  const locks = (globalThis.navigator as { locks?: Locks } | undefined)?.locks
  const forever = () => new Promise(() => {})

  /** Take over the queues of tabs that are gone (nobody holds their lock). */
  const adopt = async () => {
    const keys: string[] = []
    for (let i = 0; i < local.length; i++) {
      const k = local.key(i)
      if (k?.startsWith(prefix) && k !== key) keys.push(k)
    }
    for (const k of keys) {
      await locks?.request(k, { ifAvailable: true }, (lock) => {
        if (!lock) return
        const events = readEvents(local, k)
        remove(local, k)
        if (events.length > 0) for (const adopter of adopters) adopter(events)
      })
    }
  }

  if (locks) {
    void locks
      .request(key, { ifAvailable: true }, (lock) => {
        if (!lock) {
          // A duplicated tab copied our session id and holds its lock: become a new tab.
          key = prefix + randomId()
          set(session, tabKey, key.slice(prefix.length))
          void locks.request(key, { ifAvailable: true }, forever).catch(() => undefined)
        }
        void adopt().catch(() => undefined)
        // Held for the tab's lifetime: the browser releases it when the page goes away.
        if (lock) return forever()
      })
      .catch(() => undefined)
  }

  return {
    load: () => readEvents(local, key),
    save(events) {
      if (events.length === 0) remove(local, key)
      else if (!set(local, key, `[${events.join(',')}]`) && config.debug) {
        console.debug('[lastseen] could not store unsent events (storage full or disabled)')
      }
    },
    onAdopt(handler) {
      adopters.push(handler)
    },
  }
}

/** Each user's last heartbeat bucket, shared by every tab of the origin. */
export function webHeartbeats(config: Config): HeartbeatStore {
  const local = web('localStorage')
  const memory = new Map<string, number>()
  const ns = `${namespace(config)}:hb:`
  return {
    get(userId) {
      const stored = Number(get(local, ns + userId) ?? Number.NaN)
      const inMemory = memory.get(userId)
      if (Number.isFinite(stored)) return Math.max(stored, inMemory ?? stored)
      return inMemory
    },
    set(userId, bucket) {
      memory.set(userId, bucket)
      set(local, ns + userId, String(bucket))
    },
  }
}

/** The identified user, kept across reloads. */
export function webIdentity(config: Config) {
  const local = web('localStorage')
  const key = `${namespace(config)}:user`
  return {
    load(): Identity | undefined {
      try {
        const id = JSON.parse(get(local, key) ?? 'null') as Identity | null
        return typeof id?.userId === 'string' ? id : undefined
      } catch {
        return undefined
      }
    },
    save(id: Identity | undefined) {
      if (id) set(local, key, JSON.stringify(id))
      else remove(local, key)
    },
  }
}

/**
 * Keep `core`'s unacknowledged events in storage: the queue, the requests in flight and
 * `unanswered` (sent by beacon, which never answers). What an earlier page or a closed tab left
 * is put back into the queue first. Returns what to call when they change (`now`: write at
 * once), or `undefined` without storage.
 */
export function storedQueue(
  core: CoreHandle,
  unanswered: () => QueuedEvent[],
): ((now: boolean) => void) | undefined {
  const storage = webEventStorage(core.config)
  if (!storage) return undefined
  let queued = false

  function save(): void {
    queued = false
    const all = unanswered().map((i) => i.json)
    for (const items of core.inflight.values()) for (const i of items) all.push(i.json)
    for (const i of core.queue.snapshot()) all.push(i.json)
    storage?.save(all)
  }

  /**
   * Write at most every PERSIST_EVERY_MS: serializing a long queue on every `track()` would cost
   * the page frames. Page hide, `flush()` and `shutdown()` write at once.
   */
  function saveSoon(): void {
    if (queued) return
    queued = true
    setTimeout(() => queued && save(), PERSIST_EVERY_MS)
  }

  function restore(events: unknown[]): void {
    const known = new Set<string>()
    for (const item of core.queue.snapshot()) known.add(item.id)
    const items: QueuedEvent[] = []
    let deep = 0
    for (const event of events as Array<WireEvent | null>) {
      if (typeof event?.id !== 'string' || known.has(event.id)) continue
      known.add(event.id)
      // Stored by an SDK that did not check the depth yet: the service would never take it,
      // and this browser may not even serialize it again (its stack is too small).
      if (event.type === 'track' && tooDeep(event.properties)) {
        deep++
        continue
      }
      try {
        const json = JSON.stringify(event)
        items.push({ id: event.id, json, bytes: utf8Length(json) })
      } catch {}
    }
    if (deep > 0) {
      core.refuse(`dropped ${deep} stored events with ${TOO_DEEP}`, deep)
      saveSoon()
    }
    if (items.length === 0) return
    core.log(`restored ${items.length} unsent events`)
    core.requeue(items, true)
    saveSoon()
  }

  restore(storage.load())
  storage.onAdopt(restore)
  return (now) => (now ? save() : saveSoon())
}
