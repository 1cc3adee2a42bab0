/**
 * @module
 * Sending one notification: a signed POST, retried with exponential backoff on network errors,
 * timeouts and the statuses the protocol calls retryable (408, 429, 5xx). Any other 4xx is a
 * refusal that retrying cannot fix.
 */
import { isRetryableStatus } from '@lastseen/protocol'
import { SIGNATURE_HEADERS, sign } from './signature.js'

export interface DeliveryOptions {
  url: string
  /** Signs each attempt when set. */
  secret?: string | undefined
  /** Attempts per delivery round. @default 5 */
  attempts?: number
  /** First retry delay, doubled after each failure. @default 1000 */
  backoffMs?: number
  /** Per-attempt timeout. @default 10000 */
  timeoutMs?: number
  /** Aborts waiting between attempts (service shutdown). */
  signal?: AbortSignal
}

/** `delivered`: 2xx. `refused`: a 4xx that will not change. `later`: try again next round. */
export type DeliveryOutcome = 'delivered' | 'refused' | 'later'

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        resolve()
      },
      { once: true },
    )
  })

/** POST `body` to the webhook URL until it is accepted, refused or attempts run out. */
export async function deliver(
  id: string,
  body: string,
  options: DeliveryOptions,
): Promise<DeliveryOutcome> {
  const { attempts = 5, backoffMs = 1000, timeoutMs = 10_000, signal } = options
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (signal?.aborted) return 'later'
    if (attempt > 0) await sleep(backoffMs * 2 ** (attempt - 1), signal)
    if (signal?.aborted) return 'later'
    const timestamp = Math.floor(Date.now() / 1000)
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'lastseen-webhooks/1',
      [SIGNATURE_HEADERS.id]: id,
      [SIGNATURE_HEADERS.timestamp]: String(timestamp),
    }
    if (options.secret) headers[SIGNATURE_HEADERS.signature] = sign(options.secret, timestamp, body)
    try {
      const res = await fetch(options.url, {
        method: 'POST',
        headers,
        body,
        // Shutdown cuts a hanging attempt short; the claim stays pending for a later check.
        signal: signal
          ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])
          : AbortSignal.timeout(timeoutMs),
      })
      await res.body?.cancel()
      if (res.ok) return 'delivered'
      if (!isRetryableStatus(res.status)) return 'refused'
    } catch {
      // Network error or timeout: retried.
    }
  }
  return 'later'
}
