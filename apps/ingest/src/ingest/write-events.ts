/**
 * @module
 * The common end of both write routes: turn checked events into rows (stored time, late-event
 * window), hand them to the group-commit writer, count the outcome, and build the answer.
 */
import type { BatchResponse } from '@lastseen/protocol'
import { DEFAULTS } from '../config.js'
import type { IngestMetrics } from '../ops/metrics.js'
import type { CheckedEvents } from './event-check.js'
import { type RequestTiming, toRows } from './event-rows.js'
import type { EventWriter } from './group-commit/writer.js'

/** What writing needs. */
export interface WriteDeps {
  writer: Pick<EventWriter, 'write'>
  metrics?: IngestMetrics | undefined
  /** Late-event window in ms. @default `DEFAULTS.maxEventAgeMs` */
  maxEventAgeMs?: number | undefined
}

/** Store the valid events of a request; resolves with the `200` answer once they are stored. */
export async function writeEvents(
  deps: WriteDeps,
  projectId: string,
  checked: CheckedEvents,
  timing: RequestTiming,
): Promise<BatchResponse> {
  const maxAge = deps.maxEventAgeMs ?? DEFAULTS.maxEventAgeMs
  const { rows, rejected } = toRows(projectId, checked.valid, timing, maxAge)
  const stored = await deps.writer.write(rows)
  const allRejected = rejected.length
    ? [...checked.rejected, ...rejected].sort((a, b) => a.index - b.index)
    : checked.rejected
  deps.metrics?.writeAnswered({
    events: checked.valid.length + checked.rejected.length,
    accepted: stored.accepted,
    duplicates: stored.duplicates,
    rejected: allRejected.length,
  })
  return { ...stored, rejected: allRejected }
}
