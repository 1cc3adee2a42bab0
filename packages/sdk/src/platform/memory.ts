/**
 * @module
 * Pieces shared by the server-side runtimes (Node, edge): heartbeats remembered in a bounded
 * LRU, no storage, no identity kept between processes.
 */
import type { Config } from '../config.js'
import { Lru } from '../core/lru.js'
import type { HeartbeatStore, Identity } from './platform.js'

/** Each user's last heartbeat bucket, in a bounded LRU: memory stays flat with millions of users. */
export const lruHeartbeats = (config: Config): HeartbeatStore =>
  new Lru<number>(config.heartbeatCacheSize)

/** The identified user, in memory only. */
export function memoryIdentity() {
  let current: Identity | undefined
  return {
    load: () => current,
    save: (id: Identity | undefined) => {
      current = id
    },
  }
}
