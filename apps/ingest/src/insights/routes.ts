/**
 * @module
 * The read API: `GET /v1/users/:userId`, `/v1/accounts/:accountId`, `/v1/users?search=`,
 * `/v1/accounts?search=`, `/v1/active`, `/v1/inactive`, `/v1/declining`, `/v1/events`,
 * `/v1/frequency`, `/v1/lifecycle`, `/v1/retention`. Every route needs the project's read key and
 * answers from the aggregates only; see docs/api.md, "Read API".
 */
import { Hono } from 'hono'
import { DEFAULTS } from '../config.js'
import { NotFound } from '../errors.js'
import { authenticateRead } from '../http/auth.js'
import type { KeyRing } from '../keys/key-ring.js'
import type { Storage } from '../storage/client.js'
import { accountProfile } from './accounts.js'
import { activeUsers } from './active.js'
import { dayOf } from './days.js'
import { declining } from './declining.js'
import { eventCounts } from './events.js'
import { frequency } from './frequency.js'
import { inactive } from './inactive.js'
import { lifecycle } from './lifecycle.js'
import {
  activeQuery,
  decliningQuery,
  eventsQuery,
  frequencyQuery,
  inactiveQuery,
  lifecycleQuery,
  parsePathId,
  parseQuery,
  resolvePeriods,
  resolveRange,
  retentionQuery,
  searchQuery,
} from './params.js'
import { retention } from './retention.js'
import { search } from './search.js'
import { userProfile } from './users.js'

/** What the read routes need. */
export interface ReadDeps {
  keys: KeyRing
  storage: Storage
  /** Default of `after` in `GET /v1/inactive`. @default `DEFAULTS.inactiveAfterMs` */
  inactiveAfterMs?: number | undefined
}

export function readRoutes(deps: ReadDeps) {
  const { storage } = deps
  const auth = authenticateRead(deps.keys)
  return new Hono()
    .get('/v1/users', auth, async (c) => {
      const q = parseQuery(searchQuery, c.req.query())
      return c.json(await search(storage, c.var.projectId, 'user', q))
    })
    .get('/v1/accounts', auth, async (c) => {
      const q = parseQuery(searchQuery, c.req.query())
      return c.json(await search(storage, c.var.projectId, 'account', q))
    })
    .get('/v1/users/:userId', auth, async (c) => {
      const { projectId } = c.var
      const userId = parsePathId('userId', c.req.param('userId'))
      const found = await userProfile(storage, projectId, userId, dayOf(Date.now()))
      if (!found) throw new NotFound(`no user ${JSON.stringify(userId)}`)
      return c.json(found)
    })
    .get('/v1/accounts/:accountId', auth, async (c) => {
      const { projectId } = c.var
      const accountId = parsePathId('accountId', c.req.param('accountId'))
      const found = await accountProfile(storage, projectId, accountId, dayOf(Date.now()))
      if (!found) throw new NotFound(`no account ${JSON.stringify(accountId)}`)
      return c.json(found)
    })
    .get('/v1/active', auth, async (c) => {
      const { projectId } = c.var
      const q = parseQuery(activeQuery, c.req.query())
      const range = resolveRange(q, Date.now())
      return c.json(await activeUsers(storage, projectId, { ...range, interval: q.interval }))
    })
    .get('/v1/inactive', auth, async (c) => {
      const { projectId } = c.var
      const q = parseQuery(inactiveQuery, c.req.query())
      const afterMs = q.after ?? deps.inactiveAfterMs ?? DEFAULTS.inactiveAfterMs
      return c.json(await inactive(storage, projectId, { ...q, afterMs }, Date.now()))
    })
    .get('/v1/declining', auth, async (c) => {
      const { projectId } = c.var
      const q = parseQuery(decliningQuery, c.req.query())
      const query = { ...q, windowDays: q.window, baselineDays: q.baseline }
      return c.json(await declining(storage, projectId, query, Date.now()))
    })
    .get('/v1/lifecycle', auth, async (c) => {
      const { projectId } = c.var
      const q = parseQuery(lifecycleQuery, c.req.query())
      const periods = resolvePeriods(q, q.interval, Date.now())
      return c.json(await lifecycle(storage, projectId, { ...periods, interval: q.interval }))
    })
    .get('/v1/retention', auth, async (c) => {
      const { projectId } = c.var
      const q = parseQuery(retentionQuery, c.req.query())
      return c.json(await retention(storage, projectId, q, Date.now()))
    })
    .get('/v1/events', auth, async (c) => {
      const { projectId } = c.var
      const q = parseQuery(eventsQuery, c.req.query())
      const range = resolveRange(q, Date.now())
      return c.json(
        await eventCounts(storage, projectId, {
          ...range,
          userId: q.userId,
          accountId: q.accountId,
        }),
      )
    })
    .get('/v1/frequency', auth, async (c) => {
      const { projectId } = c.var
      const q = parseQuery(frequencyQuery, c.req.query())
      const to = q.to ?? dayOf(Date.now())
      return c.json(
        await frequency(storage, projectId, { to, weeks: q.weeks, accountId: q.accountId }),
      )
    })
}
