/**
 * @module
 * The API's error codes and the HTTP status each is answered with, in one table: the service
 * throws by code and answers with the status from here, and the docs' error table is checked
 * against it.
 */

/** Machine-readable error codes of the API. */
export type ErrorCode =
  | 'bad_request'
  | 'invalid_json'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable'
  | 'internal'

/** The HTTP status of each error code. */
export const ERROR_STATUS = {
  bad_request: 400,
  invalid_json: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const satisfies Record<ErrorCode, number>

/** The HTTP status an error with `code` is answered with. */
export const statusOf = <C extends ErrorCode>(code: C): (typeof ERROR_STATUS)[C] =>
  ERROR_STATUS[code]
