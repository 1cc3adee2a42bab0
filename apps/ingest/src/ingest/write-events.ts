/**
 * @module
 * The common end of both write routes: turn checked events into rows (stored time, late-event
 * window), hand them to the group-commit writer, count the outcome, and build the answer.
 */
import type { BatchResponse } from '@lastseen/sdk/wire'
import type { IngestMetrics } from '../ops/metrics.js'
import type { CheckedEvents } from './event-check.js'
import { type RequestTiming, toRows } from './event-rows.js'
import type { EventWriter } from './group-commit/writer.js'

/** Default late-event window: ten years. */
export const DEFAULT_MAX_EVENT_AGE_MS = 3650 * 86_400_000

/** What storing needs. */
export interface StoreDeps {
  writer: EventWriter
  metrics?: IngestMetrics | undefined
  /** Late-event window in ms. @default 10 years */
  maxEventAgeMs?: number | undefined
}

/** Store the valid events of a request; resolves with the `200` answer once they are stored. */
export async function storeEvents(
  deps: StoreDeps,
  projectId: string,
  checked: CheckedEvents,
  timing: RequestTiming,
): Promise<BatchResponse> {
  const maxAge = deps.maxEventAgeMs ?? DEFAULT_MAX_EVENT_AGE_MS
  const { rows, rejected } = toRows(projectId, checked.valid, timing, maxAge)
  const stored = await deps.writer.write(rows)
  const allRejected = rejected.length
    ? [...checked.rejected, ...rejected].sort((a, b) => a.index - b.index)
    : checked.rejected
  const m = deps.metrics
  if (m) {
    m.requestEvents.observe(checked.valid.length + checked.rejected.length)
    m.events.inc({ outcome: 'accepted' }, stored.accepted)
    m.events.inc({ outcome: 'duplicate' }, stored.duplicates)
    m.events.inc({ outcome: 'rejected' }, allRejected.length)
  }
  return { ...stored, rejected: allRejected }
}
