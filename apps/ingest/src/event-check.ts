/**
 * @module
 * Checking the events of a write one by one: each must fit the per-event size limit and the wire
 * schema. A bad event is named in `rejected` and the others are still stored.
 */
import { LIMITS, type RejectedEvent, type WireEvent } from '@lastseen/sdk/wire'
import { describeIssue, wireEventSchema } from './validation.js'

/** The events of a request split into the storable (with their position) and the refused. */
export interface CheckedEvents {
  valid: { index: number; event: WireEvent }[]
  rejected: RejectedEvent[]
}

/** Why `raw` cannot be stored, or the event itself. */
export function checkEvent(raw: unknown): WireEvent | { reason: string; tooLarge?: true } {
  const bytes = Buffer.byteLength(JSON.stringify(raw) ?? '')
  if (bytes > LIMITS.maxEventBytes) {
    return {
      reason: `event is ${bytes} bytes; the limit is ${LIMITS.maxEventBytes} bytes (32 KB) per event`,
      tooLarge: true,
    }
  }
  const parsed = wireEventSchema.safeParse(raw)
  return parsed.success ? (parsed.data as WireEvent) : { reason: describeIssue(parsed.error) }
}

/** Check every event of a batch; `index` is the event's position in the batch. */
export function checkEvents(batch: readonly unknown[]): CheckedEvents {
  const valid: CheckedEvents['valid'] = []
  const rejected: RejectedEvent[] = []
  batch.forEach((raw, index) => {
    const checked = checkEvent(raw)
    if ('reason' in checked) rejected.push({ index, reason: checked.reason })
    else valid.push({ index, event: checked })
  })
  return { valid, rejected }
}
