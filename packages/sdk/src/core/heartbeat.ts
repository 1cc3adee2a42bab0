/**
 * @module
 * The heartbeat: a `seen` event per user at most once per interval bucket (clock hours by
 * default). Its id is derived from (user, bucket), so the heartbeats that several processes or
 * tabs send for one user in one bucket collapse on the server.
 */
import type { WireSeenEvent } from '@lastseen/protocol'
import type { Config } from '../config.js'
import { heartbeatId } from '../ids.js'
import type { HeartbeatStore } from '../platform/platform.js'
import { isoTime } from './timestamp.js'

/** Queue `userId`'s heartbeat if none was sent in the bucket of `now`. */
export function createHeartbeat(
  config: Config,
  sent: HeartbeatStore,
  enqueue: (event: WireSeenEvent) => void,
) {
  return (userId: string, accountId: string | undefined, now: number): void => {
    const bucket = Math.floor(now / config.heartbeatIntervalMs)
    const last = sent.get(userId)
    if (last !== undefined && last >= bucket) return
    sent.set(userId, bucket)
    // Built key by key (no spread): the wire's key order, without a copy per heartbeat.
    const event: WireSeenEvent = {
      id: heartbeatId(userId, bucket),
      type: 'seen',
      userId,
    } as WireSeenEvent
    if (accountId !== undefined) event.accountId = accountId
    event.timestamp = isoTime(now)
    enqueue(event)
  }
}
