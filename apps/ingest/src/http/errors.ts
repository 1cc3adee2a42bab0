/**
 * @module
 * The one place errors become answers: each domain error gets its `ErrorCode`, the code its
 * HTTP status (`statusOf`), and every answer the one JSON shape `{ error: { code, message } }`.
 */
import { ERROR_STATUS, type ErrorCode, type ErrorResponse, statusOf } from '@lastseen/protocol'
import type { Context } from 'hono'
import { z } from 'zod'
import { type DomainError, isDomainError } from '../errors.js'
import { debugLog } from '../ops/log.js'

/**
 * Status recorded for a request the client abandoned before it was answered (as nginx does):
 * nobody reads the answer, and it is not the service's error.
 */
const CLIENT_CLOSED = 499

/** The API error code of each domain error. */
const CODE: Record<DomainError['name'], ErrorCode> = {
  BadRequest: 'bad_request',
  BadParameter: 'bad_request',
  InvalidJson: 'invalid_json',
  Unauthorized: 'unauthorized',
  Forbidden: 'forbidden',
  NotFound: 'not_found',
  PayloadTooLarge: 'payload_too_large',
  UnsupportedMediaType: 'unsupported_media_type',
  RateLimited: 'rate_limited',
  Unavailable: 'unavailable',
  Overloaded: 'unavailable',
  StorageUnavailable: 'unavailable',
}

/** The one shape of every error answer. */
export const errorResponseSchema = z.strictObject({
  error: z.strictObject({
    code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
    message: z.string().describe('What went wrong, for a person to read.'),
  }),
}) satisfies z.ZodType<ErrorResponse>

/** How a domain error is answered. */
export interface Answer {
  status: ReturnType<typeof statusOf>
  code: ErrorCode
  message: string
  headers: Record<string, string>
}

/** The answer to `err`: its code, the code's status, and `Retry-After` when it will pass. */
export function answerOf(err: DomainError): Answer {
  const code = CODE[err.name]
  const headers: Record<string, string> =
    'retryAfterMs' in err
      ? { 'Retry-After': String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))) }
      : {}
  // Storage that did not answer is said so, with the hint to come back.
  const message = err.name === 'StorageUnavailable' ? `${err.message}; retry later` : err.message
  return { status: statusOf(code), code, message, headers }
}

/** The body of an error answer. */
function errorBody(code: ErrorCode, message: string): ErrorResponse {
  return { error: { code, message } }
}

/** Whether `err` comes from the client going away mid-request (an upload cut off, a reset). */
function clientClosed(err: Error, c: Context): boolean {
  // Node's error for a request body cut off; a reset from storage says other words.
  const bodyAborted =
    (err as NodeJS.ErrnoException).code === 'ECONNRESET' && err.message === 'aborted'
  return c.req.raw.signal.aborted || bodyAborted
}

/**
 * Hono `onError`: a domain error is answered as {@link answerOf} says; a client that went away
 * is counted as 499 and logged only at debug level; anything else is a logged 500.
 */
export function onError(err: Error, c: Context): Response {
  if (isDomainError(err)) {
    const answer = answerOf(err)
    for (const [name, value] of Object.entries(answer.headers)) c.header(name, value)
    return c.json(errorBody(answer.code, answer.message), answer.status)
  }
  if (clientClosed(err, c)) {
    debugLog(`client closed ${c.req.method} ${c.req.path} before it was answered:`, err)
    return new Response(null, { status: CLIENT_CLOSED })
  }
  console.error('lastseen-ingest: unexpected error', err)
  return c.json(errorBody('internal', 'internal error'), 500)
}

/** Hono `notFound`: a route that does not exist. */
export const notFound = (c: Context): Response =>
  c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404)
