/**
 * @module
 * The tracker: typed `track()`, an in-memory queue, and `flush()` that sends it as one batch.
 */
import ky from 'ky'
import type { TrackerOptions } from './options.js'
import type { EventMap, TrackArgs, TrackContext } from './types.js'
import type { BatchRequest, BatchResponse, WireEvent } from './wire.js'

/** A tracker for an application's events. */
export interface Tracker<Events extends EventMap<Events>> {
  /** Queue event `name` with its properties; never throws. */
  track<K extends keyof Events & string>(name: K, ...args: TrackArgs<Events, K>): void
  /** Send everything queued so far; resolves once the server has answered. */
  flush(): Promise<void>
}

/** Create a tracker for the events of `Events`. */
export function createTracker<Events extends EventMap<Events>>(
  options: TrackerOptions,
): Tracker<Events> {
  const queue: WireEvent[] = []
  const endpoint = options.endpoint.replace(/\/+$/, '')
  const http = ky.create({
    prefixUrl: endpoint,
    headers: { authorization: `Bearer ${options.writeKey}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  })

  return {
    track(name, ...[props, context]) {
      const ctx: TrackContext = context ?? {}
      if (!ctx.userId) return
      queue.push({
        id: crypto.randomUUID(),
        type: 'track',
        event: name,
        userId: ctx.userId,
        ...(ctx.accountId ? { accountId: ctx.accountId } : {}),
        timestamp: new Date(ctx.timestamp ?? Date.now()).toISOString(),
        ...(props ? { properties: props } : {}),
      })
    },
    async flush() {
      if (queue.length === 0) return
      const batch = queue.splice(0, queue.length)
      const body: BatchRequest = { sentAt: new Date().toISOString(), batch }
      await http.post('v1/batch', { json: body }).json<BatchResponse>()
    },
  }
}
