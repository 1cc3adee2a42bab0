/**
 * @module
 * Version 3 of the schema: two aggregates laid out for the read API's slow questions.
 *
 * - `user_timeline` holds the same rows as `user_days` (a row per user and UTC day, with the
 *   exact set of the day's track event ids) but sorted by user, so one user's days, or every
 *   user's days in turn, are read without scanning every day of every other user
 *   (`GET /v1/inactive`, the user and account answers).
 * - `event_totals` holds, per UTC day and event name, the exact set of event ids and the exact
 *   set of users: a few hundred rows a month instead of a row per user (`GET /v1/events`).
 *
 * Both are fed by materialized views like the version 1 aggregates, and filled from them by
 * {@link Migration.backfill}, once, with the views already in place so nothing written in
 * between is missed. Their states are sets (`uniqExact`), merged by union: a row the view and
 * the backfill both wrote never changes an exact answer.
 */
import type { Migration } from '../migrations.js'

// Shared with migration 4, which rebuilds `event_totals` with the same columns and view.

export const eventTotalsColumns = `project_id LowCardinality(String),
      day Date,
      event LowCardinality(String),
      events AggregateFunction(uniqExact, UUID),
      users AggregateFunction(uniqExact, String)`

export const eventTotalsView = (
  local: (name: string) => string,
) => `SELECT project_id, toDate(timestamp) AS day, event,
             uniqExactState(id) AS events, uniqExactState(user_id) AS users
      FROM ${local('events_in')} WHERE type = 'track' GROUP BY project_id, day, event`

export const readAggregates: Migration = {
  version: 3,
  name: 'read-aggregates',
  statements: ({ db, onCluster, local, table }) => [
    ...table('user_timeline', {
      columns: `project_id LowCardinality(String),
      user_id String,
      day Date,
      events AggregateFunction(uniqExact, UUID)`,
      engine: 'AggregatingMergeTree',
      // Smaller granules than the default 8192: a page of users decodes the id sets of fewer
      // rows that are not theirs, and a scan of every user stays cheap.
      layout: `ORDER BY (project_id, user_id, day)
    SETTINGS index_granularity = 1024`,
      shardBy: 'cityHash64(user_id)',
    }),

    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.user_timeline_mv${onCluster} TO ${local('user_timeline')} AS
      SELECT project_id, user_id, toDate(timestamp) AS day,
             uniqExactStateIf(id, type = 'track') AS events
      FROM ${local('events_in')} GROUP BY project_id, user_id, day`,

    ...table('event_totals', {
      columns: eventTotalsColumns,
      engine: 'AggregatingMergeTree',
      layout: `PARTITION BY toYYYYMM(day)
    ORDER BY (project_id, day, event)`,
      // Rows of one day and name may sit on several shards; reads merge their sets.
      shardBy: 'cityHash64(day, event)',
    }),

    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.event_totals_mv${onCluster} TO ${local('event_totals')} AS
      ${eventTotalsView(local)}`,
  ],
  // Through the logical (Distributed) tables on a cluster: every row lands on its shard.
  backfill: ({ db }) => [
    `INSERT INTO ${db}.user_timeline (project_id, user_id, day, events)
      SELECT project_id, user_id, day, events FROM ${db}.user_days`,
    `INSERT INTO ${db}.event_totals (project_id, day, event, events, users)
      SELECT project_id, day, event, uniqExactMergeState(events), uniqExactState(user_id)
      FROM ${db}.event_days GROUP BY project_id, day, event`,
  ],
}
