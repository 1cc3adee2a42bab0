/**
 * @module
 * What can go wrong, by meaning: the errors domain code throws. None of them knows HTTP;
 * `http/errors.ts` answers each with its status and error code.
 */
import type { z } from 'zod'

/** An error the client is answered with, message included. */
abstract class ServiceError extends Error {
  abstract override readonly name: string
}

/** An error that goes away by itself: the same request may succeed after `retryAfterMs`. */
abstract class TemporaryError extends ServiceError {
  constructor(
    message: string,
    /** When trying again makes sense, in ms (sent as `Retry-After`, in whole seconds). */
    readonly retryAfterMs: number,
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}

/** A request the service cannot take as it was sent: a malformed body or a refused event. */
export class BadRequest extends ServiceError {
  override readonly name = 'BadRequest'
}

/** A query or path parameter of the read API that is out of its range. */
export class BadParameter extends ServiceError {
  override readonly name = 'BadParameter'
}

/** A body that is not JSON; the message says where it stops being JSON. */
export class InvalidJson extends ServiceError {
  override readonly name = 'InvalidJson'
}

/** No key, or a key the service does not know (unknown or revoked). */
export class Unauthorized extends ServiceError {
  override readonly name = 'Unauthorized'
}

/** A key of the wrong kind: a write key reading, a read key writing. */
export class Forbidden extends ServiceError {
  override readonly name = 'Forbidden'
}

/** A user or account the project has never seen. */
export class NotFound extends ServiceError {
  override readonly name = 'NotFound'
}

/** A body, a batch or an event over its limit. */
export class PayloadTooLarge extends ServiceError {
  override readonly name = 'PayloadTooLarge'
}

/** A body in a media type or encoding the service does not read. */
export class UnsupportedMediaType extends ServiceError {
  override readonly name = 'UnsupportedMediaType'
}

/** Too many events for a key, or too many failed attempts from an address. */
export class RateLimited extends TemporaryError {
  override readonly name = 'RateLimited'
}

/** The service cannot take the request now: shutting down, or not ready yet. */
export class Unavailable extends TemporaryError {
  override readonly name: 'Unavailable' | 'Overloaded' | 'StorageUnavailable' = 'Unavailable'
}

/** Too many events wait to be stored: the writer refuses more instead of holding them. */
export class Overloaded extends Unavailable {
  override readonly name = 'Overloaded'
}

/** Storage did not answer in time, refused the connection, or failed an insert just now. */
export class StorageUnavailable extends Unavailable {
  override readonly name = 'StorageUnavailable'
}

/** Every error the service answers; `http/errors.ts` gives each its status and code. */
export type DomainError =
  | BadRequest
  | BadParameter
  | InvalidJson
  | Unauthorized
  | Forbidden
  | NotFound
  | PayloadTooLarge
  | UnsupportedMediaType
  | RateLimited
  | Unavailable

/** Whether `err` is one of the {@link DomainError}s. */
export const isDomainError = (err: unknown): err is DomainError => err instanceof ServiceError

/**
 * The first problem of a failed zod parse as "path: message", the one way answers and the
 * configuration name a bad input. `whole` stands for the path when the problem is the input as
 * a whole (such as `query`).
 */
export function describeIssue(error: z.ZodError, whole = ''): string {
  const [issue] = error.issues
  return issue ? issueText(issue, whole) : 'invalid'
}

/** Every problem of a failed zod parse, as {@link describeIssue} writes one. */
export const describeIssues = (error: z.ZodError): string[] =>
  error.issues.map((issue) => issueText(issue, ''))

function issueText(issue: z.core.$ZodIssue, whole: string): string {
  const path = issue.path.join('.') || whole
  return path ? `${path}: ${issue.message}` : issue.message
}
