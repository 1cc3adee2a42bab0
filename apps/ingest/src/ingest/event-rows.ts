/**
 * @module
 * Turning checked wire events into rows of `events_in`: the project, the stored time (see
 * `event-time.ts`) next to the client's own `timestamp`, its `sentAt` and the receive time.
 * Each row is serialized here, once, as a TabSeparated line (ClickHouse parses it faster than
 * JSON), so the writer only joins lines. `identify` and `group` events are not activity: they
 * become rows of `traits` instead, one per trait key, at the same stored time.
 */
import type { RejectedEvent, WireTraits } from '@lastseen/protocol'
import { type EventRow, tsvField } from '../storage/event-store.js'
import { clickHouseTime } from '../storage/time.js'
import type { CheckedEvent } from './event-check.js'
import { eventTime, skewCorrection } from './event-time.js'

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

/**
 * Rows for `events_in`, refusing events outside the late-event window.
 * @param maxEventAgeMs the late-event window
 */
export function toRows(
  projectId: string,
  events: readonly CheckedEvent[],
  timing: RequestTiming,
  maxEventAgeMs: number,
): EventRows {
  const receivedMs = timing.receivedAt.getTime()
  const sentMs = Date.parse(timing.sentAt)
  const correction = skewCorrection(sentMs, receivedMs)
  const receivedAt = clickHouseTime(receivedMs)
  // The same for every row of the request.
  const common = `${clickHouseTime(sentMs)}\t${receivedAt}`
  const project = tsvField(projectId)
  const rows: EventRow[] = []
  const rejected: RejectedEvent[] = []
  for (const { index, event: e, properties } of events) {
    const time = eventTime(e.timestamp, correction, receivedMs, maxEventAgeMs)
    if ('rejected' in time) {
      rejected.push({ index, reason: time.rejected })
      continue
    }
    const id = e.id.toLowerCase()
    if (e.type === 'identify' || e.type === 'group') {
      const [subject, subjectId] =
        e.type === 'identify' ? ['user', e.userId] : ['account', e.accountId]
      rows.push({
        project_id: projectId,
        id,
        user_id: e.userId ?? '',
        received_at: receivedAt,
        traits: traitLines(
          `${project}\t${subject}\t${tsvField(subjectId)}`,
          e.traits,
          `${clickHouseTime(time.at)}\t${id}`,
        ),
      })
      continue
    }
    const clientTime = time.clientTimestamp === null ? '\\N' : clickHouseTime(time.clientTimestamp)
    const track = e.type === 'track'
    rows.push({
      project_id: projectId,
      id,
      user_id: e.userId,
      received_at: receivedAt,
      line:
        `${project}\t${id}\t${e.type}\t${track ? tsvField(e.event) : ''}\t` +
        `${tsvField(e.userId)}\t${tsvField(e.accountId ?? '')}\t${clickHouseTime(time.at)}\t` +
        `${clientTime}\t${common}\t${tsvField(properties)}\t` +
        `${track ? (e.count ?? 1) : 1}\t${time.flags}`,
    })
  }
  return { rows, rejected }
}

/**
 * The `traits` rows of one event: `head` (project, subject, subject id), then per key the key
 * and its value as JSON text (`\N`, NULL, for `null`: the trait is removed), then `tail` (time
 * and id). Each line ends in a line break.
 */
function traitLines(head: string, traits: WireTraits, tail: string): string {
  let text = ''
  for (const [key, value] of Object.entries(traits)) {
    const json = value === null ? '\\N' : tsvField(JSON.stringify(value))
    text += `${head}\t${tsvField(key)}\t${json}\t${tail}\n`
  }
  return text
}
