/**
 * @module
 * One batch over HTTP with ky: a few quick retries with jitter on network errors and on the
 * statuses the protocol calls retryable, 408, 429 and 5xx (none while the service is known to
 * be down), `Retry-After` honoured (seconds or HTTP-date). The outcome says what the core should
 * do with the events: forget them (acknowledged or refused), split the batch (413), or keep them
 * (the core sends them again after its outage backoff, or after the `Retry-After` of the last
 * answer). The classifier is shared with the browser's one-shot `keepalive` send on page hide.
 */
import {
  type BatchResponse,
  type ErrorResponse,
  isRetryableStatus,
  LIMITS,
} from '@lastseen/protocol'
import ky, { HTTPError } from 'ky'
import type { Config } from '../config.js'
import { canGzip, gzip } from './gzip.js'

/** What became of a request. */
export type SendOutcome =
  | { kind: 'ok'; response: BatchResponse }
  | { kind: 'too_large'; message: string }
  | { kind: 'refused'; status: number; message: string }
  | { kind: 'failed'; message: string; cause: unknown; retryAfterMs?: number | undefined }

/** Another way to send one body (a browser's page hide): once, no retries. */
export type Sender = (body: string) => Promise<SendOutcome>

/** The content type of a body that carries the write key (no CORS preflight). */
export const TEXT_PLAIN = 'text/plain;charset=UTF-8'

/** How a request is sent on this runtime. */
export interface TransportOptions {
  keyInBody: boolean
  keepalive: boolean
  onRetry: () => void
}

const GZIP_OVER_BYTES = 1024
/** Every status worth retrying, as ky wants them: a list. */
const RETRY_STATUSES = Array.from({ length: 600 }, (_, status) => status).filter(isRetryableStatus)

export function createTransport(config: Config, options: TransportOptions) {
  const { retry, timeoutMs } = config
  /** One attempt, aborted after `timeoutMs` as a network error, so that ky retries it too. */
  const attempt = (input: unknown, init?: RequestInit): Promise<Response> => {
    const request = input as Request // ky always passes a Request
    const timer = new AbortController()
    const stop = (reason: unknown) => timer.abort(reason)
    const follow = () => stop(request.signal.reason)
    if (request.signal.aborted) follow()
    request.signal.addEventListener('abort', follow)
    const id = setTimeout(() => stop(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
    return (config.fetch ?? fetch)(request, { ...init, signal: timer.signal }).finally(() =>
      clearTimeout(id),
    )
  }
  const http = ky.create({
    method: 'post',
    timeout: false,
    fetch: attempt,
    retry: {
      limit: retry.limit,
      methods: ['post'],
      statusCodes: RETRY_STATUSES,
      afterStatusCodes: [413, 429, 503],
      maxRetryAfter: retry.maxRetryAfterMs,
      backoffLimit: retry.backoffLimitMs,
      // Exponential backoff with full jitter (at least 1 ms).
      delay: (n) => 1 + Math.random() * retry.delayMs * 2 ** (n - 1),
    },
    hooks: { beforeRetry: [() => options.onRetry()] },
  })

  const headersFor = (keyInBody: boolean): Record<string, string> => ({
    'content-type': keyInBody ? TEXT_PLAIN : 'application/json',
    ...(keyInBody ? {} : { authorization: `Bearer ${config.writeKey}` }),
  })

  /**
   * POST `body` (a serialized `BatchRequest`), with quick retries unless `once` (the service is
   * known to be down: the core spaces the tries out itself).
   */
  async function send(
    body: string,
    bytes: number,
    signal: AbortSignal,
    once = false,
  ): Promise<SendOutcome> {
    const headers = headersFor(options.keyInBody)
    let payload: string | ArrayBuffer = body
    if (config.gzip && bytes > GZIP_OVER_BYTES && canGzip()) {
      try {
        payload = await gzip(body)
        headers['content-encoding'] = 'gzip'
      } catch {
        payload = body
      }
    }
    const size = typeof payload === 'string' ? bytes : payload.byteLength
    // ky < 1.8 never removes the listener it adds to `signal`: give it one per send.
    const local = new AbortController()
    const abort = () => local.abort(signal.reason)
    signal.addEventListener('abort', abort)
    try {
      return await outcome(
        http(config.batchUrl, {
          body: payload,
          headers,
          signal: local.signal,
          ...(once ? { retry: 0 } : {}),
          ...(options.keepalive && size <= LIMITS.maxBeaconBytes ? { keepalive: true } : {}),
        }),
      )
    } finally {
      signal.removeEventListener('abort', abort)
    }
  }

  return send
}

/** What became of `request` (ky's, which throws on error statuses, or a plain `fetch`). */
export function outcome(request: Promise<Response>): Promise<SendOutcome> {
  return request
    .then(async (response) =>
      response.ok
        ? { kind: 'ok' as const, response: (await response.json()) as BatchResponse }
        : classify(response, undefined),
    )
    .catch((error: unknown) =>
      error instanceof HTTPError
        ? classify(error.response, error)
        : { kind: 'failed', message: (error as Error)?.message ?? String(error), cause: error },
    )
}

/** What an error status means for the events. */
async function classify(response: Response, cause: unknown): Promise<SendOutcome> {
  const status = response.status
  const message = await errorMessage(response)
  if (status === 413) return { kind: 'too_large', message }
  if (status >= 400 && !isRetryableStatus(status)) return { kind: 'refused', status, message }
  return {
    kind: 'failed',
    message: `HTTP ${status}: ${message}`,
    cause,
    retryAfterMs: after(response),
  }
}

/** `Retry-After` (seconds or an HTTP-date) in milliseconds, if the answer has a usable one. */
function after(response: Response): number | undefined {
  const value = response.headers.get('retry-after') ?? ''
  const ms = +value * 1000 || Date.parse(value) - Date.now()
  return ms >= 0 ? ms : undefined
}

/** The server's `{ error: { message } }`, or the status text. */
async function errorMessage(response: Response): Promise<string> {
  try {
    const body = (await response.clone().json()) as Partial<ErrorResponse>
    if (body.error?.message) return body.error.message
  } catch {}
  return response.statusText || `HTTP ${response.status}`
}
