/**
 * @module
 * Which failed HTTP answers are worth the same request again, for every client of an HTTP
 * endpoint in this project: the SDK sending batches, the service delivering webhooks.
 */

/**
 * Whether an error answer with `status` may succeed if the same request is sent again later:
 * 408 (request timeout), 429 (rate limited) and every 5xx. Any other 4xx is a refusal that
 * sending again cannot change (413 needs a smaller request, not a later one).
 */
export const isRetryableStatus = (status: number): boolean =>
  status === 408 || status === 429 || status >= 500
