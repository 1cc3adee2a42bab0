/**
 * @module
 * Dashboard sign-in: the read key, posted once from a form, kept in an HttpOnly, SameSite=Strict
 * cookie (never in a URL), and checked on every page like an `Authorization` header would be.
 */
import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { clientAddress } from '../client-address.js'
import { ApiError } from '../http-error.js'
import { readProject } from '../insights/read-key.js'
import type { KeyRing } from '../keys.js'

/** Name of the sign-in cookie. */
export const SESSION_COOKIE = 'lastseen_read_key'

/** How long a sign-in lasts. @default 30 days */
const MAX_AGE_SECONDS = 30 * 86_400

const secure = (c: Context) =>
  new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https'

/** The project of the signed-in read key, or undefined when signed out (or the key was revoked). */
export async function sessionProject(c: Context, keys: KeyRing): Promise<string | undefined> {
  const key = getCookie(c, SESSION_COOKIE)
  if (!key) return undefined
  try {
    return await readProject(keys, key, clientAddress(c))
  } catch (err) {
    if (err instanceof ApiError) return undefined
    throw err
  }
}

/** Check `key` and remember it; throws the `ApiError` of a key that cannot read. */
export async function signIn(c: Context, keys: KeyRing, key: string): Promise<void> {
  await readProject(keys, key, clientAddress(c))
  setCookie(c, SESSION_COOKIE, key, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: secure(c),
    path: '/',
    maxAge: MAX_AGE_SECONDS,
  })
}

export function signOut(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: secure(c) })
}
