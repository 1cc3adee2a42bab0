/**
 * The read aggregates of schema version 3 (`user_timeline`, `event_totals`) on real chDB: a
 * store holding history from before the migration is backfilled, rows written after it are fed
 * by the views, and neither a duplicated row nor a second backfill changes an answer, nor does
 * version 9's rebuild of the sets from the raw events. Answers are checked through the read
 * functions against counts known exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readConfig } from '../src/config.js'
import { activeUsers } from '../src/insights/active.js'
import { addDays, dayOf, eachDay } from '../src/insights/days.js'
import { eventCounts } from '../src/insights/events.js'
import { inactive, priorActivity } from '../src/insights/inactive.js'
import { openStorage, type Storage } from '../src/storage/client.js'
import { contextFor } from '../src/storage/migration-context.js'
import { migrate, migrations } from '../src/storage/migrations.js'
import { tempDataDir } from './helpers.js'
import { type EventsInRow, queryRows, writeEventsIn } from './support/events-in.js'

const today = dayOf(Date.now())
const ago = (n: number) => addDays(today, -n)
const at = (n: number) => `${ago(n)} 12:00:00.000`

type Row = EventsInRow

const row = (user: string, n: number, event = 'search', type: Row['type'] = 'track'): Row => ({
  project_id: 'p',
  id: crypto.randomUUID(),
  type,
  event: type === 'track' ? event : '',
  user_id: user,
  account_id: 'acme',
  timestamp: at(n),
})

const write = (rows: Row[]) => writeEventsIn(storage, rows)
const query = <T>(sql: string) => queryRows<T>(storage, sql)

let storage: Storage
// Before the migration: u_old searched 3 times 20 days ago, once 22 days ago, and was seen
// (heartbeat only) 21 days ago. u_both searched twice 40 days ago.
const before = [
  row('u_old', 20),
  row('u_old', 20),
  row('u_old', 20),
  row('u_old', 22),
  row('u_old', 21, '', 'seen'),
  row('u_both', 40),
  row('u_both', 40, 'login'),
]
// After it: u_both searched 18 days ago and u_new logged in 16 days ago.
const after = [row('u_both', 18), row('u_new', 16, 'login')]

beforeAll(async () => {
  storage = await openStorage(readConfig({ LASTSEEN_DATA_DIR: tempDataDir() }).clickhouse)
  // A store at schema version 2, holding history.
  const ctx = contextFor({ database: storage.database })
  await storage.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${ctx.db}` })
  await migrate(storage, { upTo: 2 })
  const v3 = migrations.find((m) => m.version === 3)
  expect(v3).toBeDefined()
  await write(before)
  // Written twice, as racing writers could: a duplicate that reached every aggregate.
  await write(before.slice(0, 2))
  expect(await migrate(storage, { upTo: 8 })).toEqual([3, 4, 5, 6, 7, 8])
  // The backfill again, on the schema it was written for: unions of sets change nothing.
  for (const statement of v3?.backfill?.(ctx) ?? []) {
    await storage.client.command({ query: statement })
  }
  // Version 9 rebuilds the sets from the raw events (and `event_totals` as a view).
  expect(await migrate(storage)).toEqual(
    migrations.filter((m) => m.version > 8).map((m) => m.version),
  )
  await write(after)
  await write(after)
})

afterAll(async () => {
  await storage?.close()
})

describe('user_timeline', () => {
  it('holds every user day, from before and after the migration, each event once', async () => {
    const days = await query<{ user_id: string; day: string; n: string }>(
      `SELECT user_id, day, sum(n) AS n FROM (
         SELECT user_id, toString(day) AS day, toUInt64(0) AS n FROM {db}.user_timeline
         WHERE project_id = 'p'
         UNION ALL
         SELECT user_id, toString(day) AS day, uniqExactMerge(events) AS n FROM {db}.event_days
         WHERE project_id = 'p' GROUP BY user_id, day)
       GROUP BY user_id, day ORDER BY user_id, day`,
    )
    expect(days.map((d) => [d.user_id, d.day, Number(d.n)])).toEqual([
      ['u_both', ago(40), 2],
      ['u_both', ago(18), 1],
      ['u_new', ago(16), 1],
      ['u_old', ago(22), 1],
      ['u_old', ago(21), 0],
      ['u_old', ago(20), 3],
    ])
  })

  it('gives a quiet page its exact prior activity', async () => {
    const prior = await priorActivity(storage, 'p', 'user', [
      { id: 'u_old', lastSeen: ago(20) },
      { id: 'u_both', lastSeen: ago(18) },
    ])
    expect(prior.get('u_old')).toMatchObject({ events: 4 })
    expect([...(prior.get('u_old')?.days ?? [])].sort()).toEqual([ago(22), ago(21), ago(20)])
    // 40 days ago is within the 30 days ending 18 days ago.
    expect(prior.get('u_both')).toMatchObject({ events: 3, days: new Set([ago(40), ago(18)]) })
    // The account's 30 days end 16 days ago: all of its users' days.
    const accounts = await priorActivity(storage, 'p', 'account', [
      { id: 'acme', lastSeen: ago(16) },
    ])
    expect(accounts.get('acme')).toMatchObject({ users: 3, events: 8 })
    expect([...(accounts.get('acme')?.days ?? [])].sort()).toEqual(
      [40, 22, 21, 20, 18, 16].map(ago),
    )
  })

  it('ranks quiet users by events and active days', async () => {
    // Ranking reads per-row counts: exact once the duplicated rows are merged.
    await storage.client.command({
      query: `OPTIMIZE TABLE ${storage.database}.event_days FINAL`,
    })
    const q = { level: 'user' as const, afterMs: 14 * 86_400_000, limit: 10, offset: 0 }
    const byEvents = await inactive(
      storage,
      'p',
      { ...q, sort: 'events', order: 'desc' },
      Date.now(),
    )
    expect(byEvents.items.map((i) => [i.userId, i.priorActivity])).toEqual([
      ['u_old', { activeDays: 3, events: 4 }],
      ['u_both', { activeDays: 2, events: 3 }],
      ['u_new', { activeDays: 1, events: 1 }],
    ])
    const byDays = await inactive(
      storage,
      'p',
      { ...q, sort: 'active_days', order: 'asc' },
      Date.now(),
    )
    expect(byDays.items.map((i) => i.userId)).toEqual(['u_new', 'u_both', 'u_old'])
  })
})

describe('event_totals', () => {
  it('counts each event once per day and its users, before and after the migration', async () => {
    const answer = await eventCounts(storage, 'p', { from: ago(45), to: today })
    expect(answer.events).toEqual([
      {
        event: 'search',
        count: 6,
        users: 2,
        days: [
          { date: ago(40), count: 1 },
          { date: ago(22), count: 1 },
          { date: ago(20), count: 3 },
          { date: ago(18), count: 1 },
        ],
      },
      {
        event: 'login',
        count: 2,
        users: 2,
        days: [
          { date: ago(40), count: 1 },
          { date: ago(16), count: 1 },
        ],
      },
    ])
    // The same answer as from the per-user rows (the path of a user or account filter).
    const acme = await eventCounts(storage, 'p', { from: ago(45), to: today, accountId: 'acme' })
    expect(acme.events).toEqual(answer.events)
  })

  it('backfills through the logical tables on a cluster, in valid SQL', async () => {
    const v3 = migrations.find((m) => m.version === 3)
    const statements = v3?.backfill?.(contextFor({ database: 'lastseen', cluster: 'prod' })) ?? []
    expect(statements).toHaveLength(2)
    for (const statement of statements) {
      // Distributed tables spread the rows by the same shard key as the views' rows.
      expect(statement).not.toContain('_local')
      const parsed = await storage.client.query({
        query: 'SELECT formatQuery({q:String}) AS f',
        query_params: { q: statement },
        format: 'JSONEachRow',
      })
      expect((await parsed.json<{ f: string }>())[0]?.f).toMatch(/^INSERT INTO lastseen\./)
    }
  })

  it('keeps every answer when the backfill ran twice (before version 9)', async () => {
    const answer = await eventCounts(storage, 'p', { from: ago(45), to: today })
    expect(answer.events.map((e) => [e.event, e.count, e.users])).toEqual([
      ['search', 6, 2],
      ['login', 2, 2],
    ])
    const prior = await priorActivity(storage, 'p', 'user', [{ id: 'u_old', lastSeen: ago(20) }])
    expect(prior.get('u_old')).toMatchObject({ events: 4 })
  })
})

describe('weekly and monthly active users', () => {
  it('counts each user once per bucket over two years (more than 64 weeks)', async () => {
    const days: Record<string, number[]> = { u_old: [22, 21, 20], u_both: [40, 18], u_new: [16] }
    const from = ago(720)
    for (const interval of ['week', 'month'] as const) {
      const start = (day: string) =>
        interval === 'month'
          ? `${day.slice(0, 8)}01`
          : addDays(day, -((new Date(day).getUTCDay() + 6) % 7))
      const expected = new Map<string, number>()
      for (const d of eachDay(from, today)) expected.set(start(d), 0)
      for (const list of Object.values(days)) {
        for (const b of new Set(list.map((n) => start(ago(n))))) {
          expected.set(b, (expected.get(b) ?? 0) + 1)
        }
      }
      const answer = await activeUsers(storage, 'p', { from, to: today, interval })
      // Over 64 weeks: the activity falls in the second mask of buckets.
      expect(expected.size).toBeGreaterThan(interval === 'week' ? 100 : 23)
      expect(answer.series).toEqual([...expected].map(([date, active]) => ({ date, active })))
      // The 30 days ending today hold 22, 21, 20, 18 and 16 days ago: 5 user-days, 3 users.
      expect(answer.stickiness).toMatchObject({ mau: 3, averageDau: 5 / 30 })
    }
  })
})
