/**
 * @module
 * What Segment's clients are told, and what the operator sees instead. Segment's clients only
 * read the status (2xx: delivered; 400 and 401: dropped, never retried; 429 and 5xx: retried),
 * never a body listing refused messages, so each message's outcome is counted in `/metrics`
 * (`lastseen_wire_messages_total{wire="segment"}`) and each refusal or alias is logged with
 * `LASTSEEN_DEBUG=1`.
 */
import type { BatchResponse } from '@lastseen/protocol'
import { debugLog } from '../../ops/log.js'
import type { IngestMetrics } from '../../ops/metrics.js'
import type { MappedMessages } from './mapping.js'

/** The body of a `200`, as Segment's tracking API answers (`segmentSuccessSchema`). */
export const SEGMENT_SUCCESS = { success: true } as const

/** Count and log what became of each message of a request; `stored` is the write's answer. */
export function reportMessages(
  metrics: IngestMetrics | undefined,
  mapped: MappedMessages,
  stored: BatchResponse,
): void {
  metrics?.wireMessagesAnswered('segment', {
    accepted: stored.accepted,
    duplicate: stored.duplicates,
    rejected: stored.rejected.length,
    anonymous: mapped.skipped.filter((s) => s.outcome === 'anonymous').length,
    alias: mapped.skipped.filter((s) => s.outcome === 'alias').length,
  })
  for (const { index, reason } of stored.rejected) {
    debugLog(`segment: message ${index} refused, not stored: ${reason}`)
  }
  for (const { index, outcome, message } of mapped.skipped) {
    if (outcome === 'alias') {
      debugLog(
        `segment: message ${index} is an alias of ${JSON.stringify(message.previousId)} to ${JSON.stringify(message.userId)}: recorded, not merged`,
      )
    }
  }
}
