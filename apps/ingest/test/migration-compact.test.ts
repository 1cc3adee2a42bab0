/**
 * Schema version 9 on real chDB: a store of version 8 (16-byte id sets in every aggregate) is
 * rebuilt with one 64-bit id set per event (`event_days`), `user_days` and `user_timeline`
 * without sets and `event_totals` as a view, and
 * gives the same answers — while events keep arriving, when two migrations run at once, when a
 * previous run stopped half-way, and where raw events had expired. Duplicates reaching the
 * rebuilt tables afterwards change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readConfig } from '../src/config.js'
import { addDays, dayOf } from '../src/insights/days.js'
import { eventCounts } from '../src/insights/events.js'
import { openStorage, type Storage } from '../src/storage/client.js'
import { contextFor } from '../src/storage/migration-context.js'
import { rebuilt } from '../src/storage/migrations/0009-compact-storage.js'
import { migrate } from '../src/storage/migrations.js'
import { relayoutStatements } from '../src/storage/relayout.js'
import { applyEventsTtl } from '../src/storage/retention.js'
import { tempDataDir } from './helpers.js'
import {
  type EventsInRow,
  queryRows,
  sampleRows,
  tally,
  writeEventsIn,
} from './support/events-in.js'

let base: Storage
beforeAll(async () => {
  base = await openStorage(readConfig({ LASTSEEN_DATA_DIR: tempDataDir() }).clickhouse)
})
afterAll(async () => {
  await base?.close()
})

/** A separate database of the one embedded store, for one scenario. */
const inDatabase = (database: string): Storage => ({ ...base, database })

type Row = Required<EventsInRow>

const today = dayOf(Date.now())
/** Rows of every kind, spread over 1,000 days. */
const rows = (n: number): Row[] => sampleRows(n, today, { spanDays: 1000 })

const query = queryRows

/** What every aggregate must answer for `written`, each event counted once. */
function expected(written: Row[]) {
  const track = written.filter((r) => r.type === 'track')
  const day = (r: Row) => r.timestamp.slice(0, 10)
  const users = (name: string) =>
    new Set(track.filter((r) => r.event === name).map((r) => r.user_id))
  return {
    userDays: [...new Set(written.map((r) => `${day(r)} ${r.user_id}`))].sort(),
    timeline: [...new Set(written.map((r) => `${r.user_id} ${day(r)}`))].sort(),
    eventDays: tally(track.map((r) => `${day(r)} ${r.event} ${r.user_id}`)),
    eventTotals: tally(track.map((r) => `${day(r)} ${r.event}`)),
    users: { login: users('login').size, search: users('search').size },
  }
}

/** What the store answers, read the way the service reads each table. */
async function stored(storage: Storage) {
  const counts = async (sql: string) =>
    (await query<{ k: string; n: string }>(storage, sql)).flatMap(({ k, n }) =>
      Number(n) ? [`${k} ${n}`] : [],
    )
  const answer = await eventCounts(storage, 'p', { from: addDays(today, -1000), to: today })
  return {
    userDays: (
      await query<{ k: string }>(
        storage,
        `SELECT DISTINCT concat(toString(day), ' ', user_id) AS k FROM {db}.user_days ORDER BY k`,
      )
    ).map((r) => r.k),
    timeline: (
      await query<{ k: string }>(
        storage,
        `SELECT DISTINCT concat(user_id, ' ', toString(day)) AS k FROM {db}.user_timeline ORDER BY k`,
      )
    ).map((r) => r.k),
    eventDays: await counts(
      `SELECT concat(toString(day), ' ', event, ' ', user_id) AS k, uniqExactMerge(events) AS n
       FROM {db}.event_days GROUP BY day, event, user_id ORDER BY k`,
    ),
    eventTotals: await counts(
      `SELECT concat(toString(day), ' ', event) AS k, uniqExactMerge(events) AS n
       FROM {db}.event_totals GROUP BY day, event ORDER BY k`,
    ),
    users: Object.fromEntries(answer.events.map((e) => [e.event, e.users])),
  }
}

/** The shape of the rebuilt tables, and anything the rebuild left behind. */
async function shape(storage: Storage) {
  const columns = await query<{ t: string; c: string; type: string }>(
    storage,
    `SELECT table AS t, name AS c, type FROM system.columns
     WHERE database = '{db}' AND name = 'events' AND table IN ('user_days', 'event_days', 'user_timeline')
     ORDER BY t`,
  )
  const tables = await query<{ name: string; engine: string }>(
    storage,
    `SELECT name, engine FROM system.tables WHERE database = '{db}' ORDER BY name`,
  )
  return {
    sets: Object.fromEntries(columns.map((c) => [c.t, c.type])),
    eventTotals: tables.find((t) => t.name === 'event_totals')?.engine,
    views: tables.filter((t) => t.name.endsWith('_mv')).map((t) => t.name),
    leftovers: tables.map((t) => t.name).filter((n) => n.includes('_v9') || n.includes('lock')),
  }
}

const REBUILT = {
  sets: { event_days: 'AggregateFunction(uniqExact, UInt64)' },
  eventTotals: 'View',
  views: [
    'account_users_mv',
    'accounts_mv',
    'event_days_mv',
    'events_mv',
    'user_days_mv',
    'user_timeline_mv',
    'users_mv',
  ],
  leftovers: [],
}

/** A store of schema version 8 in `database`, holding `history` (part of it twice). */
async function version8(database: string, history: Row[]): Promise<Storage> {
  const storage = inDatabase(database)
  await migrate(storage, { upTo: 8 })
  await writeEventsIn(storage, history)
  // A duplicate that reached every table (a crash between insert and acknowledgement).
  await writeEventsIn(storage, history.slice(0, 10))
  expect(await stored(storage)).toEqual(expected(history))
  return storage
}

describe('upgrading a version 8 store', () => {
  it('gives the same answers, while events keep arriving, and duplicates after it change none', async () => {
    const history = rows(400)
    const storage = await version8('compact_live', history)
    const written = [...history]
    let migrating = true
    const migration = migrate(storage, { upTo: 9 }).finally(() => {
      migrating = false
    })
    let during = 0
    const giveUp = Date.now() + 90_000
    while (migrating) {
      if (Date.now() > giveUp) throw new Error('the migration took more than 90 s')
      const batch = rows(20)
      // An insert in the instant a table is swapped may fail as a whole: retried, as the
      // writer does.
      for (let attempt = 0; ; attempt++) {
        try {
          await writeEventsIn(storage, batch)
          break
        } catch (err) {
          if (attempt > 5) throw err
        }
      }
      written.push(...batch)
      during++
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    expect(await migration).toEqual([9])
    expect(during).toBeGreaterThan(3)
    expect(await shape(storage)).toEqual(REBUILT)
    expect(await stored(storage)).toEqual(expected(written))
    // Rows rebuilt from raw events hold the same hashes as rows the views write now.
    await writeEventsIn(storage, written.slice(0, 50))
    await writeEventsIn(storage, written.slice(-50))
    expect(await stored(storage)).toEqual(expected(written))
  })

  it('is done once when two migrations run at the same time', async () => {
    const history = rows(300)
    const storage = await version8('compact_twice', history)
    const [a, b] = await Promise.all([migrate(storage, { upTo: 9 }), migrate(storage, { upTo: 9 })])
    expect([...(a as number[]), ...(b as number[])]).toEqual([9])
    expect(await shape(storage)).toEqual(REBUILT)
    expect(await stored(storage)).toEqual(expected(history))
  })

  it('finishes a rebuild that stopped at any step', async () => {
    const history = rows(300)
    const storage = await version8('compact_resumed', history)
    const ctx = contextFor(storage)
    const run = (q: string) => storage.client.command({ query: q })
    const [, userDays, eventDays, userTimeline] = rebuilt.map((r) =>
      relayoutStatements(ctx, r, '_v9'),
    ) as ReturnType<typeof relayoutStatements>[]
    // user_days: stopped after the copy; event_days: after the old view was dropped;
    // user_timeline: after the swap, before its new view was made.
    for (const q of [...(userDays?.create ?? []), userDays?.copy ?? '']) await run(q)
    for (const q of [...(eventDays?.create ?? []), eventDays?.copy ?? '']) await run(q)
    await run(eventDays?.swap[0] ?? '')
    const between = rows(40)
    await writeEventsIn(storage, between)
    for (const q of [...(userTimeline?.create ?? []), userTimeline?.copy ?? '']) await run(q)
    // The old view dropped and the tables renamed: the last statements before a new view.
    for (const q of (userTimeline?.swap ?? []).slice(0, 2)) await run(q)
    // Right after a swap, until the new view exists, an insert fails whole (and is retried).
    const refused = rows(20)
    await expect(writeEventsIn(storage, refused)).rejects.toThrow(/user_timeline_v9/)

    expect(await migrate(storage, { upTo: 9 })).toEqual([9])
    await writeEventsIn(storage, refused)
    between.push(...refused)
    expect(await shape(storage)).toEqual(REBUILT)
    expect(await stored(storage)).toEqual(expected([...history, ...between]))
  })

  it('keeps the counts of rows whose raw events expired', async () => {
    const history = rows(400)
    const storage = await version8('compact_expired', history)
    // Raw events older than 500 days go; the aggregates keep them.
    await applyEventsTtl(storage, 500 * 86_400_000)
    await storage.client.command({ query: `OPTIMIZE TABLE ${storage.database}.events FINAL` })
    const [raw] = await query<{ n: string }>(storage, 'SELECT count() AS n FROM {db}.events')
    expect(Number(raw?.n)).toBeLessThan(history.filter((r) => r.type === 'track').length)
    await applyEventsTtl(storage, undefined)

    expect(await migrate(storage, { upTo: 9 })).toEqual([9])
    expect(await shape(storage)).toEqual(REBUILT)
    expect(await stored(storage)).toEqual(expected(history))
    // Events whose raw rows remain are still recognised when they arrive again.
    const recent = history.filter((r) => r.timestamp >= addDays(today, -400))
    await writeEventsIn(storage, recent)
    expect(await stored(storage)).toEqual(expected(history))
  })
})

describe('a fresh store', () => {
  it('has the compact schema', async () => {
    const storage = inDatabase('compact_fresh')
    await migrate(storage)
    expect(await shape(storage)).toEqual(REBUILT)
    const history = rows(200)
    await writeEventsIn(storage, history)
    await writeEventsIn(storage, history)
    expect(await stored(storage)).toEqual(expected(history))
  })
})
