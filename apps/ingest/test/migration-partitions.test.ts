/**
 * Schema version 4 on real chDB: a store of version 3 (tables partitioned by the event's month)
 * is rebuilt with the bounded layout and keeps every row exactly once — while events keep
 * arriving, when two migrations run at once, and when a previous run stopped half-way. The raw
 * event TTL still applies to the rebuilt `events`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readConfig } from '../src/config.js'
import { addDays, dayOf } from '../src/insights/days.js'
import { openStorage, type Storage } from '../src/storage/client.js'
import { contextFor } from '../src/storage/migration-context.js'
import { rebuilt } from '../src/storage/migrations/0004-bounded-partitions.js'
import { appliedVersions, migrate } from '../src/storage/migrations.js'
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
/** Rows of every kind, spread over 60 months of event time and 3 months of receive time. */
const rows = (n: number): Row[] => sampleRows(n, today, { spanDays: 1800, receivedSpanDays: 90 })

const write = writeEventsIn
const query = queryRows

/** What each rebuilt table must answer for `written`, each event counted once. */
function expected(written: Row[]) {
  const track = written.filter((r) => r.type === 'track')
  const day = (r: Row) => r.timestamp.slice(0, 10)
  return {
    events: track.length,
    userDays: tally(track.map((r) => `${day(r)} ${r.user_id}`)),
    userDayRows: new Set(written.map((r) => `${day(r)} ${r.user_id}`)).size,
    eventDays: tally(track.map((r) => `${day(r)} ${r.event} ${r.user_id}`)),
    eventTotals: tally(track.map((r) => `${day(r)} ${r.event}`)),
  }
}

/** What the store answers, read the way the service reads each table. */
async function stored(storage: Storage) {
  const counts = async (sql: string) =>
    (await query<{ k: string; n: string }>(storage, sql)).flatMap(({ k, n }) =>
      Number(n) ? [`${k} ${n}`] : [],
    )
  const [events] = await query<{ n: string; distinct: string }>(
    storage,
    'SELECT count() AS n, uniqExact(id) AS distinct FROM {db}.events FINAL',
  )
  expect(events?.n).toBe(events?.distinct)
  // Per user and day from `event_days` (version 9 removed the set of `user_days`): the
  // tally of `user_days` itself is its rows, below.
  const userDays = await counts(
    `SELECT concat(toString(day), ' ', user_id) AS k, uniqExactMerge(events) AS n
     FROM {db}.event_days GROUP BY day, user_id ORDER BY k`,
  )
  const [userDayRows] = await query<{ n: string }>(
    storage,
    'SELECT count() AS n FROM (SELECT DISTINCT day, user_id FROM {db}.user_days)',
  )
  return {
    events: Number(events?.n),
    userDays,
    userDayRows: Number(userDayRows?.n),
    eventDays: await counts(
      `SELECT concat(toString(day), ' ', event, ' ', user_id) AS k, uniqExactMerge(events) AS n
       FROM {db}.event_days GROUP BY day, event, user_id ORDER BY k`,
    ),
    eventTotals: await counts(
      `SELECT concat(toString(day), ' ', event) AS k, uniqExactMerge(events) AS n
       FROM {db}.event_totals GROUP BY day, event ORDER BY k`,
    ),
  }
}

/** Partition keys of the rebuilt tables, and any table left over by the rebuild. */
async function layout(storage: Storage) {
  const tables = await query<{ name: string; partition_key: string }>(
    storage,
    `SELECT name, partition_key FROM system.tables WHERE database = '{db}' ORDER BY name`,
  )
  return {
    keys: Object.fromEntries(
      tables
        .filter((t) => rebuilt.some((r) => r.name === t.name))
        .map((t) => [t.name, t.partition_key]),
    ),
    leftovers: tables.map((t) => t.name).filter((n) => n.includes('_v4') || n.includes('lock')),
  }
}

const NEW_LAYOUT = {
  events: 'toYYYYMM(received_at)',
  user_days: '',
  event_days: '',
  event_totals: '',
}

/** A store of schema version 3 in `database`, holding `history`. */
async function version3(database: string, history: Row[]): Promise<Storage> {
  const storage = inDatabase(database)
  expect(await migrate(storage, { upTo: 3 })).toEqual([1, 2, 3])
  expect((await layout(storage)).keys).toEqual({
    events: 'toYYYYMM(timestamp)',
    user_days: 'toYYYYMM(day)',
    event_days: 'toYYYYMM(day)',
    event_totals: 'toYYYYMM(day)',
  })
  await write(storage, history)
  // A duplicate that reached every table (a crash between insert and acknowledgement).
  await write(storage, history.slice(0, 10))
  return storage
}

describe('upgrading a version 3 store', () => {
  it('rebuilds the four tables with every row once, while events keep arriving', async () => {
    const history = rows(400)
    const storage = await version3('upgrade_live', history)
    const written = [...history]
    let migrating = true
    const migration = migrate(storage, { upTo: 4 }).finally(() => {
      migrating = false
    })
    // Events written before, during and after each step of the rebuild.
    let during = 0
    const giveUp = Date.now() + 90_000
    while (migrating) {
      if (Date.now() > giveUp) throw new Error('the migration took more than 90 s')
      const batch = rows(20)
      await write(storage, batch)
      written.push(...batch)
      during++
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    expect(await migration).toEqual([4])
    expect(during).toBeGreaterThan(3)
    const after = rows(50)
    await write(storage, after)
    written.push(...after)

    expect(await layout(storage)).toEqual({ keys: NEW_LAYOUT, leftovers: [] })
    expect(await stored(storage)).toEqual(expected(written))
    expect((await appliedVersions(storage)).has(4)).toBe(true)
  })

  it('is done once when two migrations run at the same time', async () => {
    const history = rows(300)
    const storage = await version3('upgrade_twice', history)
    const [a, b] = await Promise.all([migrate(storage), migrate(storage)])
    expect([...(a as number[]), ...(b as number[])]).toContain(4)
    expect(await layout(storage)).toEqual({ keys: NEW_LAYOUT, leftovers: [] })
    expect(await stored(storage)).toEqual(expected(history))
  })

  it('finishes a rebuild that stopped at any step', async () => {
    const history = rows(300)
    const storage = await version3('upgrade_resumed', history)
    const ctx = contextFor(storage)
    const run = (q: string) => storage.client.command({ query: q })
    const [events, userDays, eventDays] = rebuilt.map((r) => relayoutStatements(ctx, r, '_v4')) as [
      ReturnType<typeof relayoutStatements>,
      ReturnType<typeof relayoutStatements>,
      ReturnType<typeof relayoutStatements>,
    ]
    // events: stopped after creating the new table and its view;
    for (const q of events.create) await run(q)
    // user_days: after the copy; event_days: after the swap, before the old table was dropped.
    for (const q of [...userDays.create, userDays.copy]) await run(q)
    for (const q of [...eventDays.create, eventDays.copy, ...eventDays.swap]) await run(q)
    // And the lock of the process that stopped is still there.
    await run(
      `CREATE TABLE ${storage.database}.schema_migration_lock (at DateTime) ENGINE = Null
       COMMENT '00000000-0000-4000-8000-000000000000 00000000-0000-4000-8000-000000000001 0'`,
    )
    const between = rows(40)
    await write(storage, between)

    expect(await migrate(storage, { upTo: 4 })).toEqual([4])
    const { keys, leftovers } = await layout(storage)
    expect(keys).toEqual(NEW_LAYOUT)
    // Only the lock that was taken over remains, renamed.
    expect(leftovers).toEqual(['schema_migration_lock_00000000000040008000000000000001'])
    expect(await stored(storage)).toEqual(expected([...history, ...between]))
  })
})

describe('a fresh store', () => {
  it('has the bounded layout, and the raw-event TTL still deletes old events', async () => {
    const storage = inDatabase('fresh')
    await migrate(storage)
    expect(await layout(storage)).toEqual({ keys: NEW_LAYOUT, leftovers: [] })
    // 30 events from 100 to 1550 days ago, and 30 from 3 days ago.
    const old = rows(30).map((r, k) => ({
      ...r,
      type: 'track' as const,
      event: 'search',
      timestamp: `${addDays(today, -(100 + 50 * k))} 12:00:00.000`,
    }))
    const recent = old.map((r) => ({
      ...r,
      id: crypto.randomUUID(),
      timestamp: `${addDays(today, -3)} 12:00:00.000`,
    }))
    await write(storage, [...old, ...recent])
    const rawEvents = async () => {
      await storage.client.command({ query: `OPTIMIZE TABLE ${storage.database}.events FINAL` })
      const [n] = await query<{ n: string }>(storage, 'SELECT count() AS n FROM {db}.events')
      return Number(n?.n)
    }
    // Raw events older than the TTL go (the 13 from over 925 days ago); the aggregates stay.
    await applyEventsTtl(storage, 925 * 86_400_000)
    expect(await rawEvents()).toBe(47)
    await applyEventsTtl(storage, 10 * 86_400_000)
    expect(await rawEvents()).toBe(30)
    await applyEventsTtl(storage, undefined)
    expect(await stored(storage)).toEqual({ ...expected([...old, ...recent]), events: 30 })
  })
})
