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
 */
import type { Migration } from '../migrations.js'

const ts = "DateTime64(3, 'UTC')"

export const init: Migration = {
  version: 1,
  name: 'init',
  statements: ({ db, onCluster, engine }) => [
    `CREATE TABLE IF NOT EXISTS ${db}.projects${onCluster} (
      project_id String,
      name String,
      created_at ${ts} DEFAULT now64(3)
    ) ENGINE = ${engine('ReplacingMergeTree')} ORDER BY project_id`,

    `CREATE TABLE IF NOT EXISTS ${db}.api_keys${onCluster} (
      key_hash String,
      project_id String,
      kind Enum8('write' = 1, 'read' = 2),
      prefix String,
      name String,
      created_at ${ts} DEFAULT now64(3),
      revoked_at Nullable(${ts}),
      version UInt64
    ) ENGINE = ${engine('ReplacingMergeTree', 'version')} ORDER BY key_hash`,

    `CREATE TABLE IF NOT EXISTS ${db}.events_in${onCluster} (
      project_id String,
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
      flags UInt8
    ) ENGINE = Null`,

    `CREATE TABLE IF NOT EXISTS ${db}.events${onCluster} (
      project_id LowCardinality(String),
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
      flags UInt8
    ) ENGINE = ${engine('ReplacingMergeTree')}
    PARTITION BY toYYYYMM(timestamp)
    ORDER BY (project_id, user_id, timestamp, id)`,

    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.events_mv${onCluster} TO ${db}.events AS
      SELECT project_id, id, event, user_id, account_id, timestamp, client_timestamp, sent_at,
             received_at, properties, count, flags
      FROM ${db}.events_in WHERE type = 'track'`,

    // Written by its own INSERT after the one into events_in succeeded (not by a view): an id
    // here means every table above has the event.
    `CREATE TABLE IF NOT EXISTS ${db}.event_ids${onCluster} (
      project_id LowCardinality(String),
      id UUID,
      user_id String,
      received_at ${ts}
    ) ENGINE = ${engine('ReplacingMergeTree')}
    ORDER BY (project_id, id)
    TTL toDateTime(received_at) + INTERVAL 30 DAY`,

    `CREATE TABLE IF NOT EXISTS ${db}.users${onCluster} (
      project_id LowCardinality(String),
      user_id String,
      account_id SimpleAggregateFunction(anyLast, Nullable(String)),
      first_seen SimpleAggregateFunction(min, ${ts}),
      last_seen SimpleAggregateFunction(max, ${ts}),
      last_sign_in SimpleAggregateFunction(max, ${ts})
    ) ENGINE = ${engine('AggregatingMergeTree')} ORDER BY (project_id, user_id)`,

    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.users_mv${onCluster} TO ${db}.users AS
      SELECT project_id, user_id,
             anyLast(nullIf(account_id, '')) AS account_id,
             min(timestamp) AS first_seen,
             max(timestamp) AS last_seen,
             max(if(type = 'track' AND event IN ('sign_in', 'login'), timestamp,
                    toDateTime64(0, 3, 'UTC'))) AS last_sign_in
      FROM ${db}.events_in GROUP BY project_id, user_id`,

    `CREATE TABLE IF NOT EXISTS ${db}.accounts${onCluster} (
      project_id LowCardinality(String),
      account_id String,
      first_seen SimpleAggregateFunction(min, ${ts}),
      last_seen SimpleAggregateFunction(max, ${ts})
    ) ENGINE = ${engine('AggregatingMergeTree')} ORDER BY (project_id, account_id)`,

    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.accounts_mv${onCluster} TO ${db}.accounts AS
      SELECT project_id, account_id, min(timestamp) AS first_seen, max(timestamp) AS last_seen
      FROM ${db}.events_in WHERE account_id != '' GROUP BY project_id, account_id`,

    `CREATE TABLE IF NOT EXISTS ${db}.user_days${onCluster} (
      project_id LowCardinality(String),
      day Date,
      user_id String,
      account_id SimpleAggregateFunction(anyLast, Nullable(String)),
      events AggregateFunction(uniqExact, UUID)
    ) ENGINE = ${engine('AggregatingMergeTree')}
    PARTITION BY toYYYYMM(day)
    ORDER BY (project_id, day, user_id)`,

    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.user_days_mv${onCluster} TO ${db}.user_days AS
      SELECT project_id, toDate(timestamp) AS day, user_id,
             anyLast(nullIf(account_id, '')) AS account_id,
             uniqExactStateIf(id, type = 'track') AS events
      FROM ${db}.events_in GROUP BY project_id, day, user_id`,

    `CREATE TABLE IF NOT EXISTS ${db}.event_days${onCluster} (
      project_id LowCardinality(String),
      day Date,
      event LowCardinality(String),
      user_id String,
      account_id SimpleAggregateFunction(anyLast, Nullable(String)),
      events AggregateFunction(uniqExact, UUID)
    ) ENGINE = ${engine('AggregatingMergeTree')}
    PARTITION BY toYYYYMM(day)
    ORDER BY (project_id, day, event, user_id)`,

    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.event_days_mv${onCluster} TO ${db}.event_days AS
      SELECT project_id, toDate(timestamp) AS day, event, user_id,
             anyLast(nullIf(account_id, '')) AS account_id,
             uniqExactState(id) AS events
      FROM ${db}.events_in WHERE type = 'track' GROUP BY project_id, day, event, user_id`,
  ],
}
