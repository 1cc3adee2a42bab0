/**
 * @module
 * The dashboard at `/`: sign in with the read key, then the overview (the chosen period against
 * the one before, the active users chart, the accounts and users slipping and gone quiet with
 * their CSV exports, lifecycle and retention, how often users come back, top events), user and
 * account pages, and the search box.
 * Server rendered with Hono JSX from the same insights functions as the read API, so every
 * figure on a page is the API's. Every answer gets {@link pageHeaders}; the two forms (sign-in,
 * sign-out) take posts from the dashboard's own pages only ({@link sameOriginOnly}) and bodies
 * of a few kilobytes.
 */

import { LIMITS } from '@lastseen/protocol'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { DEFAULTS, parseDuration } from '../config.js'
import { Forbidden, PayloadTooLarge, RateLimited, Unauthorized } from '../errors.js'
import { csvAnswer } from '../http/csv.js'
import { answerOf } from '../http/errors.js'
import { accountProfile } from '../insights/accounts.js'
import { activeUsers } from '../insights/active.js'
import { addDays, dayOf } from '../insights/days.js'
import { declining, decliningColumns } from '../insights/declining.js'
import { eventCounts } from '../insights/events.js'
import { frequency } from '../insights/frequency.js'
import { inactive, inactiveColumns } from '../insights/inactive.js'
import { lifecycle } from '../insights/lifecycle.js'
import { resolvePeriods } from '../insights/params.js'
import { retention } from '../insights/retention.js'
import { search } from '../insights/search.js'
import { periodSummary } from '../insights/summary.js'
import { userProfile } from '../insights/users.js'
import type { KeyRing } from '../keys/key-ring.js'
import type { Storage } from '../storage/client.js'
import type { ViewState } from './controls.js'
import { OverviewPage } from './overview-page.js'
import { pageHeaders } from './page-headers.js'
import { AccountPage, NotFoundPage, UserPage } from './profile-pages.js'
import { sameOriginOnly } from './same-origin.js'
import { dashboardScript, SCRIPT_PATH } from './script.js'
import { SearchPage } from './search-page.js'
import { authenticateSession, signIn, signOut } from './session.js'
import { SessionStore } from './sessions.js'
import { SignInPage } from './sign-in-page.js'
import {
  allPages,
  LIST_LENGTH,
  listFrom,
  periodOf,
  quietChoices,
  quietOf,
  SEARCH_LENGTH,
  SLIPPING_LENGTH,
  slipping,
  TREND_DAYS,
} from './view-query.js'

export interface DashboardDeps {
  keys: KeyRing
  storage: Storage
  /** Sign-in sessions; kept in `storage` when omitted. */
  sessions?: SessionStore | undefined
  /** The inactivity threshold shown and used. @default `DEFAULTS.inactiveAfterMs` */
  inactiveAfterMs?: number | undefined
}

/** Largest form body: the sign-in form is a key of about 40 characters. */
const FORM_LIMIT = 4 * 1024

/** 413 as soon as the declared length, or the bytes read so far, pass {@link FORM_LIMIT}. */
const formLimit = bodyLimit({
  maxSize: FORM_LIMIT,
  onError: () => {
    throw new PayloadTooLarge(`form body is over the limit of ${FORM_LIMIT} bytes (4 KB)`)
  },
})

export function dashboardRoutes(deps: DashboardDeps) {
  const { keys, storage } = deps
  const sessions = deps.sessions ?? new SessionStore(storage, keys)
  const afterMs = deps.inactiveAfterMs ?? DEFAULTS.inactiveAfterMs
  const choices = quietChoices(afterMs)

  const signedIn = authenticateSession(sessions, (c) => c.redirect('/', 303))
  const overview = authenticateSession(sessions, (c) => c.html(<SignInPage />))

  return new Hono()
    .get('/', pageHeaders, overview, async (c) => {
      const { projectId } = c.var
      const now = Date.now()
      const today = dayOf(now)
      const query = c.req.query()
      const { range, error } = periodOf(query, now)
      const view: ViewState = { ...range, quiet: quietOf(query, choices, afterMs) }
      const userSort = listFrom(query, 'u')
      const accountSort = listFrom(query, 'a')
      const page = { limit: LIST_LENGTH, afterMs: parseDuration(view.quiet) }
      const by = query.by === 'month' ? 'month' : 'week'
      const periods = resolvePeriods({}, by, now)
      const [summary, active, slippingAccounts, slippingUsers, users, accounts] = await Promise.all(
        [
          periodSummary(storage, projectId, range),
          activeUsers(storage, projectId, { ...range, interval: 'day' }),
          declining(storage, projectId, slipping('account', SLIPPING_LENGTH, 0), now),
          declining(storage, projectId, slipping('user', SLIPPING_LENGTH, 0), now),
          inactive(storage, projectId, { level: 'user', ...userSort, ...page }, now),
          inactive(storage, projectId, { level: 'account', ...accountSort, ...page }, now),
        ],
      )
      const [cycle, cohorts, events, often] = await Promise.all([
        lifecycle(storage, projectId, { ...periods, interval: by }),
        retention(storage, projectId, { interval: by, cohorts: DEFAULTS.retentionCohorts }, now),
        eventCounts(storage, projectId, range),
        frequency(storage, projectId, { to: range.to, weeks: 4 }),
      ])
      return c.html(
        <OverviewPage
          view={view}
          today={today}
          quietChoices={choices}
          error={error}
          summary={summary}
          active={active}
          slippingAccounts={slippingAccounts}
          slippingUsers={slippingUsers}
          lifecycle={cycle}
          retention={cohorts}
          by={by}
          users={users}
          accounts={accounts}
          userSort={userSort}
          accountSort={accountSort}
          events={events}
          frequency={often}
          query={query}
        />,
      )
    })
    .get(SCRIPT_PATH, pageHeaders, (c) =>
      c.body(dashboardScript, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }),
    )
    .get('/export/inactive.csv', pageHeaders, signedIn, async (c) => {
      const query = c.req.query()
      const level = query.level === 'account' ? 'account' : 'user'
      const quiet = quietOf(query, choices, afterMs)
      const { sort, order } = listFrom(query, '', level)
      const afterQuiet = parseDuration(quiet)
      const items = await allPages((limit, offset) =>
        inactive(
          storage,
          c.var.projectId,
          { level, sort, order, offset, limit, afterMs: afterQuiet },
          Date.now(),
        ),
      )
      return csvAnswer(c, items, `quiet-${level}s-${quiet}.csv`, inactiveColumns[level])
    })
    .get('/export/declining.csv', pageHeaders, signedIn, async (c) => {
      const level = c.req.query('level') === 'account' ? 'account' : 'user'
      const items = await allPages((limit, offset) =>
        declining(storage, c.var.projectId, slipping(level, limit, offset), Date.now()),
      )
      return csvAnswer(c, items, `slipping-${level}s.csv`, decliningColumns[level])
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
      // An exact user id, else an exact account id, else what the search finds: its page when
      // it finds one, the list when it finds more or none.
      const text = (c.req.query('q') ?? c.req.query('userId') ?? '').trim()
      if (!text) return c.redirect('/', 303)
      const { projectId } = c.var
      const today = dayOf(Date.now())
      const userPage = (id: string) => `/users/${encodeURIComponent(id)}`
      const accountPage = (id: string) => `/accounts/${encodeURIComponent(id)}`
      if (await userProfile(storage, projectId, text, today)) return c.redirect(userPage(text), 303)
      if (await accountProfile(storage, projectId, text, today)) {
        return c.redirect(accountPage(text), 303)
      }
      const q = { search: text.slice(0, LIMITS.maxNameLength), limit: SEARCH_LENGTH, offset: 0 }
      const [users, accounts] = await Promise.all([
        search(storage, projectId, 'user', q),
        search(storage, projectId, 'account', q),
      ])
      const [user] = users.items
      const [account] = accounts.items
      if (users.total + accounts.total === 1) {
        if (user?.userId !== undefined) return c.redirect(userPage(user.userId), 303)
        if (account?.accountId) return c.redirect(accountPage(account.accountId), 303)
      }
      return c.html(<SearchPage text={text} users={users} accounts={accounts} />)
    })
    .get('/users/:userId', pageHeaders, signedIn, async (c) => {
      const { projectId } = c.var
      const userId = c.req.param('userId')
      const today = dayOf(Date.now())
      const user = await userProfile(storage, projectId, userId, today)
      if (!user) return c.html(<NotFoundPage what="user" />, 404)
      const [year, events] = await Promise.all([
        activeUsers(storage, projectId, {
          from: addDays(today, -364),
          to: today,
          interval: 'day',
          userId,
        }),
        eventCounts(storage, projectId, { from: addDays(today, -29), to: today, userId }),
      ])
      return c.html(<UserPage user={user} year={year} events={events} today={today} />)
    })
    .get('/accounts/:accountId', pageHeaders, signedIn, async (c) => {
      const { projectId } = c.var
      const accountId = c.req.param('accountId')
      const now = Date.now()
      const today = dayOf(now)
      const account = await accountProfile(storage, projectId, accountId, today)
      if (!account) return c.html(<NotFoundPage what="account" />, 404)
      const quiet = quietOf(c.req.query(), choices, afterMs)
      const trend = await activeUsers(storage, projectId, {
        from: addDays(today, -(TREND_DAYS - 1)),
        to: today,
        interval: 'day',
        accountId,
      })
      return c.html(
        <AccountPage
          account={account}
          trend={trend}
          today={today}
          quiet={quiet}
          quietBefore={new Date(now - parseDuration(quiet)).toISOString()}
        />,
      )
    })
}
