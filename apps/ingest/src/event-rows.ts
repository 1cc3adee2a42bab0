/**
 * @module
 * Turning checked wire events into rows of `events_in`: the project, the stored time (see
 * `event-time.ts`) next to the client's own `timestamp`, its `sentAt` and the receive time.
 */
import type { RejectedEvent, WireEvent } from '@lastseen/sdk/wire'
import { eventTime, skewCorrection } from './event-time.js'

/** One row of `events_in`, as inserted (JSONEachRow). */
export interface EventRow {
  project_id: string
  /** Lower-case UUID. */
  id: string
  type: 'track' | 'seen'
  event: string
  user_id: string
  account_id: string
  /** The stored time (corrected, clamped), `YYYY-MM-DD hh:mm:ss.sss` UTC. */
  timestamp: string
  /** The event's `timestamp` exactly as the client sent it, or null when it had none. */
  client_timestamp: string | null
  sent_at: string
  received_at: string
  properties: string
  count: number
  flags: number
}

/** When a request was sent (client clock) and received (server clock). */
export interface RequestTiming {
  /** `sentAt` of the request, ISO 8601. */
  sentAt: string
  receivedAt: Date
}

/** Rows to store, and the events refused for their time. */
export interface EventRows {
  rows: EventRow[]
  rejected: RejectedEvent[]
}

/** `Date` milliseconds as ClickHouse `DateTime64(3, 'UTC')` text. */
export const clickHouseTime = (ms: number): string =>
  new Date(ms).toISOString().replace('T', ' ').replace('Z', '')

/**
 * Rows for `events`, each with its position in the request (for `rejected`).
 * @param maxEventAgeMs the late-event window
 */
export function toRows(
  projectId: string,
  events: readonly { index: number; event: WireEvent }[],
  timing: RequestTiming,
  maxEventAgeMs: number,
): EventRows {
  const receivedMs = timing.receivedAt.getTime()
  const sentMs = Date.parse(timing.sentAt)
  const correction = skewCorrection(sentMs, receivedMs)
  const sentAt = clickHouseTime(sentMs)
  const receivedAt = clickHouseTime(receivedMs)
  const rows: EventRow[] = []
  const rejected: RejectedEvent[] = []
  for (const { index, event: e } of events) {
    const time = eventTime(e.timestamp, correction, receivedMs, maxEventAgeMs)
    if ('rejected' in time) {
      rejected.push({ index, reason: time.rejected })
      continue
    }
    rows.push({
      project_id: projectId,
      id: e.id.toLowerCase(),
      type: e.type,
      event: e.type === 'track' ? e.event : '',
      user_id: e.userId,
      account_id: e.accountId ?? '',
      timestamp: clickHouseTime(time.at),
      client_timestamp: time.clientTimestamp === null ? null : clickHouseTime(time.clientTimestamp),
      sent_at: sentAt,
      received_at: receivedAt,
      properties: e.type === 'track' && e.properties ? JSON.stringify(e.properties) : '',
      count: e.type === 'track' ? (e.count ?? 1) : 1,
      flags: time.flags,
    })
  }
  return { rows, rejected }
}
