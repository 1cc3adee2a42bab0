/**
 * @module
 * The service's error: carries its HTTP status and API code; `onError` turns every error into
 * the one JSON shape `{ error: { code, message } }`.
 */
import type { ErrorCode, ErrorResponse } from '@lastseen/sdk/wire'
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { debugLog } from '../ops/log.js'

/**
 * Status recorded for a request the client abandoned before it was answered (as nginx does):
 * nobody reads the answer, and it is not the service's error.
 */
export const CLIENT_CLOSED = 499

/** Whether `err` comes from the client going away mid-request (an upload cut off, a reset). */
function clientClosed(err: Error, c: Context): boolean {
  return c.req.raw.signal.aborted || (err as NodeJS.ErrnoException).code === 'ECONNRESET'
}

import { isStorageUnavailable } from '../storage/deadline.js'

/** An error answered to the client as-is. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    /** Extra headers, such as `Retry-After`. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

/** The body of an error answer. */
export function errorBody(code: ErrorCode, message: string): ErrorResponse {
  return { error: { code, message } }
}

/**
 * Hono `onError`: known errors keep their status; storage that did not answer in time, or
 * refused the connection, is a 503 to retry after `Retry-After`; a client that went away is counted as 499 and logged
 * only at debug level; anything else is a logged 500.
 */
export function onError(err: Error, c: Context): Response {
  if (isStorageUnavailable(err)) {
    c.header('Retry-After', String(Math.max(1, Math.ceil(err.timeoutMs / 1000))))
    return c.json(errorBody('unavailable', `${err.message}; retry later`), 503)
  }
  if (err instanceof ApiError) {
    for (const [k, v] of Object.entries(err.headers)) c.header(k, v)
    return c.json(errorBody(err.code, err.message), err.status)
  }
  if (clientClosed(err, c)) {
    debugLog(`client closed ${c.req.method} ${c.req.path} before it was answered:`, err)
    return new Response(null, { status: CLIENT_CLOSED })
  }
  console.error('lastseen-ingest: unexpected error', err)
  return c.json(errorBody('internal', 'internal error'), 500)
}
