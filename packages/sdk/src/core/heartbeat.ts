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
    enqueue({
      id: heartbeatId(userId, bucket),
      type: 'seen',
      userId,
      ...(accountId === undefined ? {} : { accountId }),
      timestamp: new Date(now).toISOString(),
    })
  }
}
