/**
 * @module
 * Version 1 of the schema.
 *
 * Every group of events is one INSERT into `events_in` (a Null table); materialized views fan it
 * out: track events into `events` (raw rows; heartbeats are not kept raw), every event into the
 * per-user, per-account and per-day aggregates. Then one INSERT into `event_ids` records the ids
 * (used to answer `duplicates`).
 *
 * Aggregates are idempotent under a repeated row: first/last seen are min/max, activity is a
 * row per (user, day), and event counts are exact sets of event ids (`uniqExact`). So even a
 * duplicate that reaches the table (a crash between insert and acknowledgement, two ingest
 * nodes racing) never changes an answer. All days are UTC.
 *
 * Readers: the aggregate tables may hold several partial rows per key (not merged yet, or one
 * per shard on a cluster); always aggregate them (`min`, `max`, `uniqExactMerge`, `GROUP BY`).
 * `events` may briefly hold the same event twice; count with `uniqExact(id)` or read `FINAL`.
 */
import type { Migration } from '../migrations.js'

const ts = "DateTime64(3, 'UTC')"
const byUser = 'cityHash64(user_id)'

/** How a view names the table it reads: `db.events_in` alone, `db.events_in_local` on a cluster. */
type Local = (name: string) => string

// The columns and views of the tables a later migration rebuilds (see 0004) are shared with it,
// so the rebuilt table has the same columns and is fed by the same query.

/**
 * The columns of `events_in`, the table every group insert writes; the insert names them in
 * this order (`EVENTS_IN_COLUMNS` in `event-store.ts`).
 */
export const eventsInColumns = `project_id String,
      id UUID,
      type Enum8('track' = 1, 'seen' = 2),
      event String,
      user_id String,
      account_id String,
      timestamp ${ts},
      client_timestamp Nullable(${ts}),
      sent_at ${ts},
      received_at ${ts},
      properties String,
      count UInt32,
      flags UInt8`

export const eventsColumns = `project_id LowCardinality(String),
      id UUID,
      event LowCardinality(String),
      user_id String,
      account_id String,
      timestamp ${ts},
      client_timestamp Nullable(${ts}),
      sent_at ${ts},
      received_at ${ts},
      properties String CODEC(ZSTD(3)),
      count UInt32,
      flags UInt8`

export const eventsView = (
  local: Local,
) => `SELECT project_id, id, event, user_id, account_id, timestamp, client_timestamp, sent_at,
             received_at, properties, count, flags
      FROM ${local('events_in')} WHERE type = 'track'`

export const userDaysColumns = `project_id LowCardinality(String),
      day Date,
      user_id String,
      account_id SimpleAggregateFunction(anyLast, Nullable(String)),
      events AggregateFunction(uniqExact, UUID)`

export const userDaysView = (local: Local) => `SELECT project_id, toDate(timestamp) AS day, user_id,
             anyLast(nullIf(account_id, '')) AS account_id,
             uniqExactStateIf(id, type = 'track') AS events
      FROM ${local('events_in')} GROUP BY project_id, day, user_id`

export const eventDaysColumns = `project_id LowCardinality(String),
      day Date,
      event LowCardinality(String),
      user_id String,
      account_id SimpleAggregateFunction(anyLast, Nullable(String)),
      events AggregateFunction(uniqExact, UUID)`

export const eventDaysView = (
  local: Local,
) => `SELECT project_id, toDate(timestamp) AS day, event, user_id,
             anyLast(nullIf(account_id, '')) AS account_id,
             uniqExactState(id) AS events
      FROM ${local('events_in')} WHERE type = 'track' GROUP BY project_id, day, event, user_id`

export const init: Migration = {
  version: 1,
  name: 'init',
  statements: ({ db, onCluster, everywhere, local, table }) => [
    `CREATE TABLE IF NOT EXISTS ${db}.projects${onCluster} (
      project_id String,
      name String,
      created_at ${ts} DEFAULT now64(3)
    ) ENGINE = ${everywhere('ReplacingMergeTree')} ORDER BY project_id`,

    `CREATE TABLE IF NOT EXISTS ${db}.api_keys${onCluster} (
      key_hash String,
      project_id String,
      kind Enum8('write' = 1, 'read' = 2),
      prefix String,
      name String,
      created_at ${ts} DEFAULT now64(3),
      revoked_at Nullable(${ts}),
      version UInt64
    ) ENGINE = ${everywhere('ReplacingMergeTree', 'version')} ORDER BY key_hash`,

    ...table('events_in', {
      columns: eventsInColumns,
      engine: 'Null',
      layout: '',
      shardBy: byUser,
    }),

    ...table('events', {
      columns: eventsColumns,
      engine: 'ReplacingMergeTree',
      layout: `PARTITION BY toYYYYMM(timestamp)
    ORDER BY (project_id, user_id, timestamp, id)`,
      shardBy: byUser,
    }),

    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.events_mv${onCluster} TO ${local('events')} AS
      ${eventsView(local)}`,

    // Written by its own INSERT after the one into events_in succeeded (not by a view): an id
    // here means every table above has the event.
    ...table('event_ids', {
      columns: `project_id LowCardinality(String),
      id UUID,
      user_id String,
      received_at ${ts}`,
      engine: 'ReplacingMergeTree',
      layout: `ORDER BY (project_id, id)
    TTL toDateTime(received_at) + INTERVAL 30 DAY`,
      shardBy: byUser,
    }),

    ...table('users', {
      columns: `project_id LowCardinality(String),
      user_id String,
      account_id SimpleAggregateFunction(anyLast, Nullable(String)),
      first_seen SimpleAggregateFunction(min, ${ts}),
      last_seen SimpleAggregateFunction(max, ${ts}),
      last_sign_in SimpleAggregateFunction(max, ${ts})`,
      engine: 'AggregatingMergeTree',
      layout: 'ORDER BY (project_id, user_id)',
      shardBy: byUser,
    }),

    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.users_mv${onCluster} TO ${local('users')} AS
      SELECT project_id, user_id,
             anyLast(nullIf(account_id, '')) AS account_id,
             min(timestamp) AS first_seen,
             max(timestamp) AS last_seen,
             max(if(type = 'track' AND event IN ('sign_in', 'login'), timestamp,
                    toDateTime64(0, 3, 'UTC'))) AS last_sign_in
      FROM ${local('events_in')} GROUP BY project_id, user_id`,

    // Fed on each shard from that shard's users: on a cluster an account has a partial row per
    // shard, merged by min/max when read.
    ...table('accounts', {
      columns: `project_id LowCardinality(String),
      account_id String,
      first_seen SimpleAggregateFunction(min, ${ts}),
      last_seen SimpleAggregateFunction(max, ${ts})`,
      engine: 'AggregatingMergeTree',
      layout: 'ORDER BY (project_id, account_id)',
      shardBy: 'cityHash64(account_id)',
    }),

    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.accounts_mv${onCluster} TO ${local('accounts')} AS
      SELECT project_id, account_id, min(timestamp) AS first_seen, max(timestamp) AS last_seen
      FROM ${local('events_in')} WHERE account_id != '' GROUP BY project_id, account_id`,

    ...table('user_days', {
      columns: userDaysColumns,
      engine: 'AggregatingMergeTree',
      layout: `PARTITION BY toYYYYMM(day)
    ORDER BY (project_id, day, user_id)`,
      shardBy: byUser,
    }),

    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.user_days_mv${onCluster} TO ${local('user_days')} AS
      ${userDaysView(local)}`,

    ...table('event_days', {
      columns: eventDaysColumns,
      engine: 'AggregatingMergeTree',
      layout: `PARTITION BY toYYYYMM(day)
    ORDER BY (project_id, day, event, user_id)`,
      shardBy: byUser,
    }),

    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.event_days_mv${onCluster} TO ${local('event_days')} AS
      ${eventDaysView(local)}`,
  ],
}
