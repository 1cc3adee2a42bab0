/**
 * @module
 * Webhook signatures: HMAC-SHA256 with `LASTSEEN_WEBHOOK_SECRET` over `<timestamp>.<body>`,
 * sent as `X-Lastseen-Signature: v1=<hex>` next to `X-Lastseen-Timestamp: <unix seconds>`.
 * A receiver recomputes it over the raw body and refuses old timestamps, so a captured request
 * cannot be replayed later. The recipe is in docs/insights.md.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

/** Header names of a signed delivery. */
export const SIGNATURE_HEADERS = {
  id: 'x-lastseen-id',
  timestamp: 'x-lastseen-timestamp',
  signature: 'x-lastseen-signature',
} as const

/** How far a timestamp may be from the receiver's clock. @default 300 seconds */
const DEFAULT_TOLERANCE_SECONDS = 300

/** The `X-Lastseen-Signature` value for `body` sent at `timestamp` (unix seconds). */
export function sign(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

/**
 * Check a delivery: the signature matches the raw body and the timestamp is within
 * `toleranceSeconds` of `nowSeconds`.
 */
export function verify(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  nowSeconds = Math.floor(Date.now() / 1000),
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): boolean {
  const timestamp = Number(headers.timestamp)
  if (!Number.isInteger(timestamp) || !headers.signature) return false
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false
  const expected = Buffer.from(sign(secret, timestamp, body))
  const given = Buffer.from(headers.signature)
  return expected.length === given.length && timingSafeEqual(expected, given)
}
