/**
 * @module
 * Authentication as middleware: each sets `c.var.projectId`, the project the request acts for,
 * so handlers never look at keys. Read routes take the read key of `Authorization: Bearer`,
 * admin routes (deleting and exporting a user's data) the admin key of that header; write routes a write key from that header or, for clients that cannot set headers
 * (sendBeacon), from `writeKey` in the body. Segment's wire sends its write key as
 * `Authorization: Basic` instead (`basicKey`).
 */
import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import type { KeyRing } from '../keys/key-ring.js'
import { clientAddress } from './client-address.js'

/** What authentication sets. */
export type AuthVariables = {
  /** The project the request acts for. */
  projectId: string
}

/** What write authentication sets: also the key (its rate-limit bucket) and the body it read. */
export type WriteAuthVariables<B> = AuthVariables & {
  writeKey: string
  body: B
}

/** The key of an `Authorization: Bearer <key>` header, if there is one. */
export function bearerKey(header: string | undefined): string | undefined {
  return header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1]
}

/** The project of the `kind` key in `Authorization: Bearer`. */
const authenticateBearer = (keys: KeyRing, kind: 'read' | 'admin') =>
  createMiddleware<{ Variables: AuthVariables }>(async (c, next) => {
    const key = bearerKey(c.req.header('authorization'))
    c.set('projectId', await keys.authorize(kind, key, clientAddress(c)))
    await next()
  })

/** Read routes: the project of the read key in `Authorization: Bearer`. */
export const authenticateRead = (keys: KeyRing) => authenticateBearer(keys, 'read')

/**
 * Admin routes: the project of the admin key in `Authorization: Bearer`. A read or write key is
 * refused with 403, an unknown key with 401.
 */
export const authenticateAdmin = (keys: KeyRing) => authenticateBearer(keys, 'admin')

/**
 * The user name of an `Authorization: Basic` header, if there is one: Segment's clients send
 * the write key there, with an empty password.
 */
export function basicKey(header: string | undefined): string | undefined {
  const token = header?.match(/^Basic\s+(\S+)\s*$/i)?.[1]
  if (!token) return undefined
  const credentials = Buffer.from(token, 'base64').toString('utf8')
  const colon = credentials.indexOf(':')
  return (colon === -1 ? credentials : credentials.slice(0, colon)) || undefined
}

/**
 * A write's project, key and body: a key in the `Authorization` header (read by `headerKey`) is
 * checked before `readBody` runs, so a wrong key costs no body read; without one, the
 * `writeKey` of the body `readBody` returns is checked once the body is parsed.
 */
export async function authorizeWrite<B extends { writeKey?: string | undefined }>(
  c: Context,
  keys: KeyRing,
  readBody: (c: Context) => Promise<B>,
  headerKey: (header: string | undefined) => string | undefined = bearerKey,
): Promise<WriteAuthVariables<B>> {
  const from = clientAddress(c)
  const fromHeader = headerKey(c.req.header('authorization'))
  const headerProject = fromHeader ? await keys.authorize('write', fromHeader, from) : undefined
  const body = await readBody(c)
  const key = fromHeader ?? body.writeKey
  const projectId = headerProject ?? (await keys.authorize('write', key, from))
  // `authorize` refuses a missing key, so past it `key` is set.
  return { projectId, writeKey: key as string, body }
}

/**
 * Write routes: the key of `Authorization: Bearer`, or the body's `writeKey`, as
 * {@link authorizeWrite} checks them. Sets the body as `c.var.body`.
 */
export const authenticateWrite = <B extends { writeKey?: string | undefined }>(
  keys: KeyRing,
  readBody: (c: Context) => Promise<B>,
) =>
  createMiddleware<{ Variables: WriteAuthVariables<B> }>(async (c, next) => {
    const { projectId, writeKey, body } = await authorizeWrite(c, keys, readBody)
    c.set('projectId', projectId)
    c.set('writeKey', writeKey)
    c.set('body', body)
    await next()
  })
