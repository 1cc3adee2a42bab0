/**
 * @module
 * Browser storage, every access guarded (a full quota, disabled storage or a sandboxed iframe
 * must never break the page). Unsent events live under one key per tab, so tabs do not send
 * each other's events; a tab holds a Web Lock on its key while it lives, and a new tab adopts
 * the events of tabs that are gone (their lock is free).
 */
import type { Config } from '../config.js'
import { heartbeatId, randomId } from '../ids.js'
import type { EventStorage, HeartbeatStore, Identity } from './platform.js'

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

function readEvents(s: Store | undefined, key: string): string[] {
  try {
    const list = JSON.parse(get(s, key) ?? '[]') as unknown[]
    // One at a time: an event this browser cannot serialize again (nested too deep for its
    // stack) is left out alone, not with every other stored event.
    return Array.isArray(list)
      ? list.flatMap((e) => {
          try {
            return [JSON.stringify(e)]
          } catch {
            return []
          }
        })
      : []
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
  const adopters: Array<(events: string[]) => void> = []
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
