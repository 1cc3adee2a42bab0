/**
 * @module
 * When an event happened, as stored: the client's time, corrected for large clock skew by whole
 * quarter hours, clamped when in the future, refused past the late-event window. Why:
 * docs/architecture.md, "Event time".
 */

/** Bits of the stored `flags` column. */
export const EventFlags = {
  /** The event had no `timestamp`; the receive time was used. */
  noTimestamp: 1,
  /** The client's clock was off by 7.5 minutes or more; the time was corrected. */
  skewCorrected: 2,
  /** The time was in the future; it was clamped to the receive time. */
  clampedFuture: 4,
} as const

/** Skew is corrected in steps of this size. */
const SKEW_STEP_MS = 15 * 60_000

/** How far past the receive time an event may be before it is clamped. */
const FUTURE_TOLERANCE_MS = 10 * 60_000

/** The stored time of an event, or why it is refused. */
export type EventTime =
  | { at: number; flags: number; clientTimestamp: number | null }
  | { rejected: string }

/** The correction for a request: whole quarter hours of `receivedAt - sentAt`. */
export function skewCorrection(sentAtMs: number, receivedAtMs: number): number {
  const steps = Math.round((receivedAtMs - sentAtMs) / SKEW_STEP_MS)
  return steps === 0 ? 0 : steps * SKEW_STEP_MS
}

/**
 * The stored time of one event of a request.
 * @param timestamp the event's `timestamp` (ISO 8601, already validated), if it has one
 * @param correctionMs the request's {@link skewCorrection}
 */
export function eventTime(
  timestamp: string | undefined,
  correctionMs: number,
  receivedAtMs: number,
  maxEventAgeMs: number,
): EventTime {
  if (timestamp === undefined) {
    return { at: receivedAtMs, flags: EventFlags.noTimestamp, clientTimestamp: null }
  }
  const clientTimestamp = Date.parse(timestamp)
  let at = clientTimestamp + correctionMs
  let flags = correctionMs === 0 ? 0 : EventFlags.skewCorrected
  if (at > receivedAtMs + FUTURE_TOLERANCE_MS) {
    at = receivedAtMs
    flags |= EventFlags.clampedFuture
  }
  if (at < receivedAtMs - maxEventAgeMs) {
    const days = Math.round(maxEventAgeMs / 86_400_000)
    return {
      rejected: `timestamp is older than the late-event window of ${days} days (LASTSEEN_MAX_EVENT_AGE)`,
    }
  }
  return { at, flags, clientTimestamp }
}
