/**
 * @module
 * Version 9 of the schema: the same answers on about half the disk (issue 12, "Disk").
 *
 * Every aggregate held an exact set of 16-byte event ids per row, four of them per event, so the
 * aggregates took 2.5× the raw events. Now one set per event remains:
 *
 * - `event_days` (per user, day and event name) keeps `events AggregateFunction(uniqExact,
 *   UInt64)`, a set of `sipHash64(id)`, read with `uniqExactMerge(events)` as before: 8 bytes an
 *   event instead of 16. Two ids with the same hash count once: see docs/insights.md for the
 *   odds. Its `account_id` goes: nothing read it (a user's account is in `users`).
 * - `user_days` and `user_timeline` lose their sets and keep their rows (a user's active days,
 *   in two orders; `user_days` with the account). A user's events per day are the sum of its
 *   `event_days` counts of that day (an event has one name), which the readers now read.
 * - `event_days` is sorted by user (then day and name), as every reader of it but one asks for
 *   given users; the rows of a user and day are next to each other.
 * - `event_totals` becomes a plain view over `event_days` (per day and name: the union of the
 *   rows' sets, and the set of users), so it stores nothing and can never disagree with it;
 *   deleting a user no longer recomputes it. Its reader (`GET /v1/events` for the whole
 *   project) now reads every row of `event_days`: the price of storing each event's id once.
 * - `events.client_timestamp` is stored only where it differs from `timestamp` (NULL otherwise;
 *   `flags` tells a time that was the same from none sent): most clients' clocks are right.
 * - Column codecs: the times of `events` as deltas (rows are sorted by user and time), text
 *   columns with ZSTD; `event_ids` keeps its receive time to the second (only its 30-day TTL
 *   reads it).
 *
 * Every aggregate stays idempotent: sets merge by union, first and last seen are a minimum and
 * a maximum, active days are keys.
 *
 * The tables are rebuilt under their own names while the service keeps writing (see
 * `relayout.ts`), with new views. The sets of `event_days` are computed again from the raw
 * `events`: a 16-byte id set cannot be read back as ids. Where raw events expired
 * (`LASTSEEN_EVENTS_TTL`) and a row counts more events than `events` still holds, the row keeps
 * its count as a set of that many stand-in values (`sipHash64('expired', row key, k)`), so every
 * answer stays the same; only a duplicate of such an old event arriving again would be counted
 * once more there, since its real id is no longer known.
 */
import { EventFlags } from '../../ingest/event-time.js'
import type { MigrationContext } from '../migration-context.js'
import type { Migration } from '../migrations.js'
import type { Relayout } from '../relayout.js'
import { relayout, relayoutStatements } from '../relayout.js'

const ts = "DateTime64(3, 'UTC')"
const byUser = 'cityHash64(user_id)'
/** A time column sorted within a user: stored as deltas. */
const time = 'CODEC(Delta, ZSTD(3))'
const text = 'CODEC(ZSTD(3))'

/** The 64-bit hash of an event id that the sets hold. */
export const idHash = (id: string) => `sipHash64(${id})`

export const eventsColumns = `project_id LowCardinality(String),
      id UUID,
      event LowCardinality(String) ${text},
      user_id String ${text},
      account_id String ${text},
      timestamp ${ts} ${time},
      client_timestamp Nullable(${ts}) ${time},
      sent_at ${ts} ${time},
      received_at ${ts} ${time},
      properties String ${text},
      count UInt32 ${text},
      flags UInt8 ${text}`

/**
 * The raw events, as before but for `client_timestamp`: the client's own time only where it
 * differs from the stored `timestamp` (skew corrected, clamped), NULL where it is the same or
 * the client sent none (`flags` tells which: bit 1, no timestamp). Read it as
 * {@link clientTimestamp}.
 */
export const eventsView = (
  local: (name: string) => string,
) => `SELECT project_id, id, event, user_id, account_id, timestamp,
             ${storedClientTimestamp}, sent_at, received_at, properties, count, flags
      FROM ${local('events_in')} WHERE type = 'track'`

/**
 * `client_timestamp` as stored from version 9 (see {@link eventsView}). A NULL's underlying
 * value is zero, not the time (which `if(…, NULL, …)` would keep there), so NULLs compress away.
 * A time of zero (1970) is refused by the late-event window long before.
 */
const storedClientTimestamp = `nullIf(if(client_timestamp = timestamp, toDateTime64(0, 3, 'UTC'),
               assumeNotNull(client_timestamp)), toDateTime64(0, 3, 'UTC')) AS client_timestamp`

/** The client's own time of a raw event, as sent (NULL: none was sent). */
export const clientTimestamp = `if(isNull(client_timestamp) AND bitAnd(flags, ${EventFlags.noTimestamp}) = 0,
     timestamp, client_timestamp)`

export const userDaysColumns = `project_id LowCardinality(String),
      day Date,
      user_id String ${text},
      account_id SimpleAggregateFunction(anyLast, Nullable(String)) ${text}`

export const userDaysView = (local: (name: string) => string) => `SELECT project_id,
             toDate(timestamp) AS day, user_id, anyLast(nullIf(account_id, '')) AS account_id
      FROM ${local('events_in')} GROUP BY project_id, day, user_id`

export const eventDaysColumns = `project_id LowCardinality(String),
      day Date,
      event LowCardinality(String),
      user_id String ${text},
      events AggregateFunction(uniqExact, UInt64)`

export const eventDaysView = (
  local: (name: string) => string,
) => `SELECT project_id, toDate(timestamp) AS day, event, user_id,
             uniqExactState(${idHash('id')}) AS events
      FROM ${local('events_in')} WHERE type = 'track' GROUP BY project_id, day, event, user_id`

export const userTimelineColumns = `project_id LowCardinality(String),
      user_id String ${text},
      day Date ${time}`

export const userTimelineView = (
  local: (name: string) => string,
) => `SELECT project_id, user_id, toDate(timestamp) AS day
      FROM ${local('events_in')} GROUP BY project_id, user_id, day`

/** `event_totals`: a view, per day and event name, of every user's `event_days` rows. */
export const eventTotalsView = (db: string) => `SELECT project_id, day, event,
             uniqExactMergeState(events) AS events, uniqExactState(user_id) AS users
      FROM ${db}.event_days GROUP BY project_id, day, event`

/**
 * Fill `next` with the rows of the aggregate `name` keyed by `key`: each row's set is the hashes
 * of its raw events (`raw`, an expression over `events` for each key column), or, where fewer
 * raw events remain than the row counts, as many stand-in values (see the module comment).
 */
const recount = (
  ctx: MigrationContext,
  name: string,
  next: string,
  key: readonly string[],
  raw: Record<string, string>,
) => {
  const { db } = ctx
  const keys = key.join(', ')
  return `INSERT INTO ${db}.${next} (${keys}, events)
      SELECT ${key.map((k) => `o.${k}`).join(', ')},
             arrayReduce('uniqExactState', if(length(r.hashes) >= o.n, r.hashes,
               arrayMap(k -> sipHash64('expired', ${key.map((k) => `o.${k}`).join(', ')}, k), range(o.n)))) AS events
      FROM (SELECT ${keys}, uniqExactMerge(events) AS n FROM ${db}.${name}
            GROUP BY ${keys}) AS o
      LEFT JOIN (SELECT ${key.map((k) => `${raw[k] ?? k} AS ${k}`).join(', ')},
                        groupUniqArray(${idHash('id')}) AS hashes
                 FROM ${db}.events GROUP BY ${keys}) AS r
      USING (${keys})`
}

/** The tables rebuilt, in the order they are rebuilt. */
export const rebuilt: readonly Relayout[] = [
  {
    name: 'events',
    spec: {
      columns: eventsColumns,
      engine: 'ReplacingMergeTree',
      layout: `PARTITION BY toYYYYMM(received_at)
    ORDER BY (project_id, user_id, timestamp, id)`,
      shardBy: byUser,
    },
    partitionKey: 'toYYYYMM(received_at)',
    done: { column: 'timestamp', has: 'Delta' },
    view: eventsView,
    newView: true,
    copy: ({ db }, next) => `INSERT INTO ${db}.${next} SETTINGS max_partitions_per_insert_block = 0
      SELECT project_id, id, event, user_id, account_id, timestamp, ${storedClientTimestamp},
             sent_at, received_at, properties, count, flags
      FROM ${db}.events`,
  },
  {
    name: 'user_days',
    spec: {
      columns: userDaysColumns,
      engine: 'AggregatingMergeTree',
      layout: 'ORDER BY (project_id, day, user_id)',
      shardBy: byUser,
    },
    partitionKey: '',
    done: { column: 'events', has: null },
    view: userDaysView,
    newView: true,
    copy: ({ db }, next) => `INSERT INTO ${db}.${next} (project_id, day, user_id, account_id)
      SELECT project_id, day, user_id, account_id FROM ${db}.user_days`,
  },
  {
    name: 'event_days',
    spec: {
      columns: eventDaysColumns,
      engine: 'AggregatingMergeTree',
      // By user, like `user_timeline`: every reader but the whole project's totals asks for
      // given users (a profile, an account's members, a page of quiet users, an export), and
      // finds their rows by the primary key; small granules decode few rows of other users.
      layout: `ORDER BY (project_id, user_id, day, event)
    SETTINGS index_granularity = 1024`,
      shardBy: byUser,
    },
    partitionKey: '',
    done: { column: 'events', has: 'UInt64' },
    view: eventDaysView,
    newView: true,
    copy: (ctx, next) =>
      recount(ctx, 'event_days', next, ['project_id', 'day', 'event', 'user_id'], {
        day: 'toDate(timestamp)',
      }),
  },
  {
    name: 'user_timeline',
    spec: {
      columns: userTimelineColumns,
      engine: 'AggregatingMergeTree',
      layout: `ORDER BY (project_id, user_id, day)
    SETTINGS index_granularity = 1024`,
      shardBy: byUser,
    },
    partitionKey: '',
    done: { column: 'events', has: null },
    view: userTimelineView,
    newView: true,
    copy: ({ db }, next) => `INSERT INTO ${db}.${next} (project_id, user_id, day)
      SELECT project_id, user_id, day FROM ${db}.user_timeline`,
  },
]

/**
 * The views of earlier versions this one replaces (or, for `event_totals_mv`, drops): their
 * statements were written for the earlier columns and must not run again after this version.
 */
export const REPLACED_VIEWS = [
  'user_days_mv',
  'event_days_mv',
  'user_timeline_mv',
  'event_totals_mv',
] as const

/** Names the temporary tables; a later rebuild takes another, as replication paths keep them. */
const SUFFIX = '_v9'

/** `event_ids`: changed in place (no view feeds it; a column's type and codec change). */
const eventIdsStatements = ({ db, onCluster, local }: MigrationContext) => [
  `ALTER TABLE ${local('event_ids')}${onCluster}
    MODIFY COLUMN user_id String ${text},
    MODIFY COLUMN received_at DateTime('UTC') ${text}
    SETTINGS mutations_sync = 2`,
  ...(local('event_ids') === `${db}.event_ids`
    ? []
    : [
        `ALTER TABLE ${db}.event_ids${onCluster}
    MODIFY COLUMN received_at DateTime('UTC')`,
      ]),
]

/** `event_totals` becomes a view: its feeding view goes, then the table is replaced. */
const eventTotalsStatements = ({ db, onCluster, local }: MigrationContext) => [
  `DROP VIEW IF EXISTS ${db}.event_totals_mv${onCluster}`,
  `CREATE VIEW IF NOT EXISTS ${db}.event_totals${SUFFIX}${onCluster} AS
      ${eventTotalsView(db)}`,
  `EXCHANGE TABLES ${db}.event_totals AND ${db}.event_totals${SUFFIX}${onCluster}`,
  `DROP TABLE IF EXISTS ${db}.event_totals${SUFFIX}${onCluster}`,
  ...(local('event_totals') === `${db}.event_totals`
    ? []
    : [`DROP TABLE IF EXISTS ${local('event_totals')}${onCluster}`]),
]

/** The engine of `db.name` (`''` when absent). */
async function engineOf(
  storage: Parameters<NonNullable<Migration['run']>>[0],
  db: string,
  name: string,
): Promise<string> {
  const result = await storage.client.query({
    query: `SELECT engine FROM system.tables WHERE database = {db:String} AND name = {name:String}`,
    query_params: { db, name },
    format: 'JSONEachRow',
  })
  return (await result.json<{ engine: string }>())[0]?.engine ?? ''
}

export const compactStorage: Migration = {
  version: 9,
  name: 'compact-storage',
  statements: () => [],
  review: (ctx) => [
    ...rebuilt.flatMap((r) => {
      const s = relayoutStatements(ctx, r, SUFFIX)
      return [...s.create, s.copy, ...s.swap, ...s.retire]
    }),
    ...eventIdsStatements(ctx),
    ...eventTotalsStatements(ctx),
  ],
  async run(storage, ctx) {
    for (const r of rebuilt) await relayout(storage, ctx, r, SUFFIX)
    // A type change applied twice is a change to the same type: nothing is rewritten.
    for (const statement of eventIdsStatements(ctx)) {
      await storage.client.command({ query: statement })
    }
    // The migration lock is held (see `migrate`): no other process swaps it meanwhile.
    if ((await engineOf(storage, ctx.db, 'event_totals')) !== 'View') {
      for (const statement of eventTotalsStatements(ctx)) {
        await storage.client.command({ query: statement })
      }
    }
  },
}
