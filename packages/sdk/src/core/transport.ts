/**
 * @module
 * One batch over HTTP with ky: backoff with jitter on network errors, 408, 429 and 5xx,
 * `Retry-After` honoured (seconds or HTTP-date). The outcome says what the core should do with
 * the events: forget them (acknowledged or refused), split the batch (413), or keep them (retry later).
 */
import ky, { HTTPError } from 'ky'
import type { Config } from '../config.js'
import type { BatchResponse, ErrorResponse } from '../wire.js'
import { canGzip, gzip } from './gzip.js'

/** What became of a request. */
export type SendOutcome =
  | { kind: 'ok'; response: BatchResponse }
  | { kind: 'too_large'; message: string }
  | { kind: 'refused'; status: number; message: string }
  | { kind: 'failed'; message: string; cause: unknown }

/** How a request is sent on this runtime. */
export interface TransportOptions {
  keyInBody: boolean
  keepalive: boolean
  onRetry: () => void
}

const GZIP_OVER_BYTES = 1024
/** Chromium refuses `keepalive` bodies over 64 KiB in flight; leave room for headers. */
const KEEPALIVE_MAX_BYTES = 63_000

export function createTransport(config: Config, options: TransportOptions) {
  const { retry } = config
  const http = ky.create({
    method: 'post',
    timeout: config.timeoutMs,
    throwHttpErrors: true,
    ...(config.fetch ? { fetch: config.fetch } : {}),
    retry: {
      limit: retry.limit,
      methods: ['post'],
      statusCodes: [408, 429, 500, 502, 503, 504],
      afterStatusCodes: [413, 429, 503],
      maxRetryAfter: retry.maxRetryAfterMs,
      backoffLimit: retry.backoffLimitMs,
      delay: (attempt) => retry.delayMs * 2 ** (attempt - 1),
      jitter: true,
      retryOnTimeout: true,
    },
    hooks: { beforeRetry: [() => options.onRetry()] },
  })

  /**
   * POST `body` (a serialized `BatchRequest`), with retries. `urgent` (the page is being hidden):
   * no gzip, so the request starts before the page can go away.
   */
  return async function send(
    body: string,
    bytes: number,
    signal: AbortSignal,
    urgent: boolean,
  ): Promise<SendOutcome> {
    const headers: Record<string, string> = {
      'content-type': options.keyInBody ? 'text/plain;charset=UTF-8' : 'application/json',
    }
    if (!options.keyInBody) headers.authorization = `Bearer ${config.writeKey}`
    let payload: string | ArrayBuffer = body
    if (config.gzip && !urgent && bytes > GZIP_OVER_BYTES && canGzip()) {
      try {
        payload = await gzip(body)
        headers['content-encoding'] = 'gzip'
      } catch {
        payload = body
      }
    }
    const size = typeof payload === 'string' ? bytes : payload.byteLength
    try {
      const response = await http(config.batchUrl, {
        body: payload,
        headers,
        signal,
        ...(options.keepalive && size < KEEPALIVE_MAX_BYTES ? { keepalive: true } : {}),
      })
      return { kind: 'ok', response: await response.json<BatchResponse>() }
    } catch (error) {
      if (error instanceof HTTPError) {
        const status = error.response.status
        const message = await errorMessage(error.response)
        if (status === 413) return { kind: 'too_large', message }
        if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
          return { kind: 'refused', status, message }
        }
        return { kind: 'failed', message: `HTTP ${status}: ${message}`, cause: error }
      }
      return { kind: 'failed', message: (error as Error)?.message ?? String(error), cause: error }
    }
  }
}

/** The server's `{ error: { message } }`, or the status text. */
async function errorMessage(response: Response): Promise<string> {
  try {
    const body = (await response.clone().json()) as Partial<ErrorResponse>
    if (body.error?.message) return body.error.message
  } catch {}
  return response.statusText || `HTTP ${response.status}`
}

export type Send = ReturnType<typeof createTransport>
