/**
 * @module
 * The dashboard at `/`: sign in with the read key, then the overview (active users chart,
 * inactive users and accounts, top events), user and account pages, and a user lookup. Server
 * rendered with Hono JSX from the same insights functions as the read API. Every answer gets
 * {@link pageHeaders}; the two forms (sign-in, sign-out) take posts from the dashboard's own
 * pages only ({@link sameOriginOnly}) and bodies of a few kilobytes.
 */

import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { DEFAULTS, formatDuration } from '../config.js'
import { Forbidden, PayloadTooLarge, RateLimited, Unauthorized } from '../errors.js'
import { answerOf } from '../http/errors.js'
import { accountProfile } from '../insights/accounts.js'
import { activeUsers } from '../insights/active.js'
import { addDays, dayOf } from '../insights/days.js'
import { eventCounts } from '../insights/events.js'
import { frequency } from '../insights/frequency.js'
import { type InactiveSort, inactive } from '../insights/inactive.js'
import { inactiveFields } from '../insights/params.js'
import { userProfile } from '../insights/users.js'
import type { KeyRing } from '../keys/key-ring.js'
import type { Storage } from '../storage/client.js'
import type { ListState } from './inactive-table.js'
import { OverviewPage } from './overview-page.js'
import { pageHeaders } from './page-headers.js'
import { AccountPage, NotFoundPage, UserPage } from './profile-pages.js'
import { sameOriginOnly } from './same-origin.js'
import { authenticateSession, signIn, signOut } from './session.js'
import { SessionStore } from './sessions.js'
import { SignInPage } from './sign-in-page.js'

export interface DashboardDeps {
  keys: KeyRing
  storage: Storage
  /** Sign-in sessions; kept in `storage` when omitted. */
  sessions?: SessionStore | undefined
  /** The inactivity threshold shown and used. @default `DEFAULTS.inactiveAfterMs` */
  inactiveAfterMs?: number | undefined
}

const LIST_LENGTH = 25

const today = () => dayOf(Date.now())

/** Largest form body: the sign-in form is a key of about 40 characters. */
const FORM_LIMIT = 4 * 1024

/** 413 as soon as the declared length, or the bytes read so far, pass {@link FORM_LIMIT}. */
const formLimit = bodyLimit({
  maxSize: FORM_LIMIT,
  onError: () => {
    throw new PayloadTooLarge(`form body is over the limit of ${FORM_LIMIT} bytes (4 KB)`)
  },
})

/** A list's sort and page from `usort`, `uorder`, `uoffset` (or `a…`); defaults when invalid. */
function listFrom(query: Record<string, string>, prefix: 'u' | 'a'): ListState {
  const shape = inactiveFields.pick({ sort: true, order: true, offset: true })
  const parsed = shape.safeParse({
    sort: query[`${prefix}sort`],
    order: query[`${prefix}order`],
    offset: query[`${prefix}offset`],
  })
  // `mrr` is an account trait: it sorts accounts only.
  return parsed.success && !(prefix === 'u' && parsed.data.sort === 'mrr')
    ? {
        sort: parsed.data.sort as InactiveSort,
        order: parsed.data.order,
        offset: parsed.data.offset,
      }
    : { sort: 'last_seen', order: 'desc', offset: 0 }
}

export function dashboardRoutes(deps: DashboardDeps) {
  const { keys, storage } = deps
  const sessions = deps.sessions ?? new SessionStore(storage, keys)
  const afterMs = deps.inactiveAfterMs ?? DEFAULTS.inactiveAfterMs

  const signedIn = authenticateSession(sessions, (c) => c.redirect('/', 303))
  const overview = authenticateSession(sessions, (c) => c.html(<SignInPage />))

  return new Hono()
    .get('/', pageHeaders, overview, async (c) => {
      const { projectId } = c.var
      const now = Date.now()
      const to = dayOf(now)
      const query = c.req.query()
      const userSort = listFrom(query, 'u')
      const accountSort = listFrom(query, 'a')
      const page = { limit: LIST_LENGTH, afterMs }
      const [active, users, accounts, events, often] = await Promise.all([
        activeUsers(storage, projectId, { from: addDays(to, -29), to, interval: 'day' }),
        inactive(storage, projectId, { level: 'user', ...userSort, ...page }, now),
        inactive(storage, projectId, { level: 'account', ...accountSort, ...page }, now),
        eventCounts(storage, projectId, { from: addDays(to, -29), to }),
        frequency(storage, projectId, { to, weeks: 4 }),
      ])
      return c.html(
        <OverviewPage
          active={active}
          users={users}
          accounts={accounts}
          userSort={userSort}
          accountSort={accountSort}
          events={events}
          frequency={often}
          after={formatDuration(afterMs)}
          query={query}
        />,
      )
    })
    .post('/session', pageHeaders, sameOriginOnly, formLimit, async (c) => {
      const form = await c.req.parseBody()
      const key = typeof form.key === 'string' ? form.key.trim() : ''
      try {
        await signIn(c, keys, sessions, key)
      } catch (err) {
        // A key that cannot sign in is answered on the sign-in page; anything else as usual.
        if (
          !(err instanceof Unauthorized || err instanceof Forbidden || err instanceof RateLimited)
        )
          throw err
        const answer = answerOf(err)
        for (const [name, value] of Object.entries(answer.headers)) c.header(name, value)
        return c.html(<SignInPage error={err.message} />, answer.status)
      }
      return c.redirect('/', 303)
    })
    .post('/session/end', pageHeaders, sameOriginOnly, formLimit, async (c) => {
      await signOut(c, sessions)
      return c.redirect('/', 303)
    })
    .get('/lookup', pageHeaders, signedIn, async (c) => {
      const userId = (c.req.query('userId') ?? '').trim()
      return c.redirect(userId ? `/users/${encodeURIComponent(userId)}` : '/', 303)
    })
    .get('/users/:userId', pageHeaders, signedIn, async (c) => {
      const user = await userProfile(storage, c.var.projectId, c.req.param('userId'), today())
      return user ? c.html(<UserPage user={user} />) : c.html(<NotFoundPage what="user" />, 404)
    })
    .get('/accounts/:accountId', pageHeaders, signedIn, async (c) => {
      const id = c.req.param('accountId')
      const account = await accountProfile(storage, c.var.projectId, id, today())
      return account
        ? c.html(<AccountPage account={account} />)
        : c.html(<NotFoundPage what="account" />, 404)
    })
}
