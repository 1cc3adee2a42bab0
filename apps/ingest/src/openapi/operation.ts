/**
 * @module
 * The shape of one entry of the operation table ({@link operations}): what the OpenAPI
 * document says about a route. Path parameters are typed from the path, so a route with
 * `:userId` cannot be listed without the schema of `userId`.
 */
import type { ErrorCode } from '@lastseen/protocol'
import type { z } from 'zod'

/**
 * Who may call an operation: a write key (`Authorization: Bearer`, or `writeKey` in the body),
 * a read key or an admin key (`Authorization: Bearer`), a dashboard session cookie, or anyone.
 */
export type Auth = 'write' | 'read' | 'admin' | 'session' | 'none'

/**
 * How an answer is sent: JSON of a schema, lines of JSON (NDJSON) each of a schema, an HTML
 * page, plain text, or a redirect.
 */
export type Content =
  | { json: z.ZodType }
  | { ndjson: z.ZodType }
  | { html: true }
  | { text: true; mediaType?: string }
  | { redirect: true }

/** A non-error answer, or an error answered with a page rather than the JSON error shape. */
export type Answer = Content & {
  description: string
  /** Answered with `Retry-After` (seconds). */
  retryAfter?: true
}

/** The names of the `:name` parameters of a Hono path. */
export type PathParams<P extends string> = P extends `${string}:${infer N}/${infer R}`
  ? N | PathParams<`/${R}`>
  : P extends `${string}:${infer N}`
    ? N
    : never

/** The operation of `method` on `path`, as the document describes it. */
export interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete'
  /** The path as the app registers it (`/v1/users/:userId`); the document writes `{userId}`. */
  path: string
  /**
   * Groups operations in the document: the write API, the read API, data rights, operations,
   * the dashboard.
   */
  tag: 'write' | 'read' | 'rights' | 'ops' | 'dashboard'
  summary: string
  description?: string
  auth: Auth
  /** Schema of each path parameter, with its `.describe()` text. */
  params?: Record<string, z.ZodType>
  /** The query parameters: each key of the object is one, described by its `.describe()`. */
  query?: z.ZodObject
  /** The request body, read as each of `bodyTypes`. */
  body?: z.ZodType
  /** Media types the body may be sent as. @default `['application/json']` */
  bodyTypes?: string[]
  /** Answers other than the JSON errors, by status: at least the `200` (or `303`). */
  answers: Record<number, Answer>
  /**
   * Error codes the route answers with `{ error: { code, message } }`, besides those every
   * route may answer (`unavailable`, `internal`) and those its `auth` brings
   * (`unauthorized`, `forbidden`, `rate_limited`).
   */
  errors?: ErrorCode[]
}

/** An {@link Operation} whose `params` must name every `:param` of `path`. */
export type TypedOperation<P extends string> = Omit<Operation, 'path' | 'params'> & {
  path: P
} & ([PathParams<P>] extends [never]
    ? { params?: undefined }
    : { params: Record<PathParams<P>, z.ZodType> })

/** One entry of the table, checked against its path. */
export const operation = <P extends string>(op: TypedOperation<P>): Operation => op as Operation
