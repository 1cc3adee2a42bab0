/**
 * @module
 * The one error the SDK reports: a {@link LastseenError} with a machine-readable `code`,
 * passed to `onError`. Nothing is ever thrown into the host application.
 */

/** What went wrong. */
export type LastseenErrorCode =
  /** The options are invalid; the tracker is disabled. */
  | 'invalid_config'
  /** An event was refused locally (over 32 KB, properties nested over 32 levels, no user, `beforeSend` threw). */
  | 'invalid_event'
  /** The queue was full; the oldest events were dropped (and reported in the next batch). */
  | 'queue_full'
  /** The server refused some events of a batch individually; they are not retried. */
  | 'rejected'
  /** The server refused a batch (4xx other than 408/413/429); it is dropped. */
  | 'http_error'
  /**
   * Network errors, timeouts, 408, 429 or 5xx outlasted a request's quick retries; the events
   * stay queued and are sent again after a backoff that grows with the outage.
   */
  | 'network_error'
  /** `flush()` or `shutdown()` reached its timeout with events still unsent. */
  | 'timeout'

/** An error reported to `onError`. */
export class LastseenError extends Error {
  override readonly name = 'LastseenError' as const
  /** What went wrong. */
  readonly code: LastseenErrorCode
  /** HTTP status of the answer, when there was one. */
  readonly status: number | undefined
  /** How many events this error concerns. */
  readonly events: number

  constructor(
    code: LastseenErrorCode,
    message: string,
    details: { status?: number | undefined; events?: number; cause?: unknown } = {},
  ) {
    super(`[lastseen] ${message}`, details.cause === undefined ? {} : { cause: details.cause })
    this.code = code
    this.status = details.status
    this.events = details.events ?? 0
  }
}

/** Whether `value` is a {@link LastseenError}, also across realms and bundled copies. */
export function isLastseenError(value: unknown): value is LastseenError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { name?: unknown }).name === 'LastseenError' &&
    typeof (value as { code?: unknown }).code === 'string'
  )
}
