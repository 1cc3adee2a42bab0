/**
 * @module
 * Dashboard sign-in. The read key is posted once from a form and checked; the browser then
 * holds only a random session id, in an HttpOnly, SameSite=Strict cookie (Secure over HTTPS),
 * never the key and never in a URL. Sessions live on the server ({@link SessionStore}):
 * sign-out ends the session there, and revoking the read key ends every session made with it.
 */
import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import type { AuthVariables } from '../http/auth.js'
import { clientAddress } from '../http/client-address.js'
import { hashKey } from '../keys/hash.js'
import type { KeyRing } from '../keys/key-ring.js'
import type { SessionStore } from './sessions.js'

/** Name of the sign-in cookie. */
export const SESSION_COOKIE = 'lastseen_session'

/** The cookie of versions that kept the read key itself in it: never read, always removed. */
const LEGACY_COOKIE = 'lastseen_read_key'

const secure = (c: Context) =>
  new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https'

function forget(c: Context, name: string): void {
  deleteCookie(c, name, { path: '/', secure: secure(c), httpOnly: true, sameSite: 'Strict' })
}

/**
 * Dashboard pages: sets `c.var.projectId` to the signed-in session's project, or answers with
 * `signedOut` (the sign-in page, or a redirect to it).
 */
export const authenticateSession = (
  sessions: SessionStore,
  signedOut: (c: Context) => Response | Promise<Response>,
) =>
  createMiddleware<{ Variables: AuthVariables }>(async (c, next) => {
    const projectId = await sessionProject(c, sessions)
    if (!projectId) return signedOut(c)
    c.set('projectId', projectId)
    await next()
  })

/** The project of the signed-in session, or undefined when signed out (or the session ended). */
async function sessionProject(c: Context, sessions: SessionStore): Promise<string | undefined> {
  if (getCookie(c, LEGACY_COOKIE) !== undefined) forget(c, LEGACY_COOKIE)
  const id = getCookie(c, SESSION_COOKIE)
  if (!id) return undefined
  const projectId = await sessions.project(id, clientAddress(c))
  // An ended session's cookie is dropped, so it is not looked up again.
  if (!projectId) forget(c, SESSION_COOKIE)
  return projectId
}

/** Check read key `key` and start a session; throws `Unauthorized`, `Forbidden` or `RateLimited` for a key that cannot sign in. */
export async function signIn(
  c: Context,
  keys: KeyRing,
  sessions: SessionStore,
  key: string,
): Promise<void> {
  const projectId = await keys.authorize('read', key, clientAddress(c))
  // A new id on every sign-in: one planted in the browser beforehand is never promoted.
  const previous = getCookie(c, SESSION_COOKIE)
  if (previous && (await sessions.project(previous))) await sessions.end(previous)
  const id = await sessions.start(hashKey(key), projectId)
  setCookie(c, SESSION_COOKIE, id, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: secure(c),
    path: '/',
    maxAge: Math.floor(sessions.maxAgeMs / 1000),
  })
  if (getCookie(c, LEGACY_COOKIE) !== undefined) forget(c, LEGACY_COOKIE)
}

/**
 * End the session on the server and forget its cookie. Only a live session is written to
 * storage, so posting made-up ids costs a lookup (throttled like a wrong key), not an insert.
 */
export async function signOut(c: Context, sessions: SessionStore): Promise<void> {
  const id = getCookie(c, SESSION_COOKIE)
  if (id && (await sessions.project(id, clientAddress(c)))) await sessions.end(id)
  forget(c, SESSION_COOKIE)
}
