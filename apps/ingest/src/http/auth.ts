/**
 * @module
 * Authentication as middleware: each sets `c.var.projectId`, the project the request acts for,
 * so handlers never look at keys. Read routes take the read key of `Authorization: Bearer`,
 * admin routes (deleting and exporting a user's data) the admin key of that header; write routes a write key from that header or, for clients that cannot set headers
 * (sendBeacon), from `writeKey` in the body.
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
function bearerKey(header: string | undefined): string | undefined {
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
 * Write routes: a key in `Authorization: Bearer` is checked before `readBody` runs, so a wrong
 * key costs no body read; without one, the `writeKey` of the body `readBody` returns is checked
 * once the body is parsed. Sets the body as `c.var.body`.
 */
export const authenticateWrite = <B extends { writeKey?: string | undefined }>(
  keys: KeyRing,
  readBody: (c: Context) => Promise<B>,
) =>
  createMiddleware<{ Variables: WriteAuthVariables<B> }>(async (c, next) => {
    const from = clientAddress(c)
    const headerKey = bearerKey(c.req.header('authorization'))
    const headerProject = headerKey ? await keys.authorize('write', headerKey, from) : undefined
    const body = await readBody(c)
    const key = headerKey ?? body.writeKey
    c.set('projectId', headerProject ?? (await keys.authorize('write', key, from)))
    // `authorize` refuses a missing key, so past it `key` is set.
    c.set('writeKey', key as string)
    c.set('body', body)
    await next()
  })
