/**
 * @module
 * Version 7 of the schema: what deleting a user needs (see `storage/forget-user.ts`).
 *
 * - `api_keys.kind` gains `'admin' = 3`, the kind of key that deletes and exports a user's
 *   data. Adding a value to an `Enum8` is a change of metadata only: no row is rewritten.
 * - `account_users` holds, per account and user, the first and last time of the user's events
 *   that carried the account. `accounts` is fed from every event with an account, with no trace
 *   of whose event set its first or last seen; after a user is deleted, the first and last seen
 *   of that user's accounts are computed again from this table's rows of the other users.
 *
 * The backfill fills `account_users` for what was stored before this version: exactly from the
 * raw track events, and from the per-user rows of `users` for what only they hold (heartbeats,
 * raw events past their retention). A `users` row holds a user's first and last seen over the
 * events of one insert, under the latest account among them, so for a user who changed accounts
 * or sent events without one inside one insert, that older history counts a little wider than
 * it was. Everything stored from this version on is exact.
 */
import type { Migration } from '../migrations.js'

const ts = "DateTime64(3, 'UTC')"

export const dataRights: Migration = {
  version: 7,
  name: 'data-rights',
  statements: ({ db, onCluster, local, table }) => [
    `ALTER TABLE ${db}.api_keys${onCluster}
      MODIFY COLUMN kind Enum8('write' = 1, 'read' = 2, 'admin' = 3)`,

    ...table('account_users', {
      columns: `project_id LowCardinality(String),
      account_id String,
      user_id String,
      first_seen SimpleAggregateFunction(min, ${ts}),
      last_seen SimpleAggregateFunction(max, ${ts})`,
      engine: 'AggregatingMergeTree',
      layout: 'ORDER BY (project_id, account_id, user_id)',
      // With the user's other rows: a deletion finds them all on one shard.
      shardBy: 'cityHash64(user_id)',
    }),

    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.account_users_mv${onCluster} TO ${local('account_users')} AS
      SELECT project_id, account_id, user_id, min(timestamp) AS first_seen, max(timestamp) AS last_seen
      FROM ${local('events_in')} WHERE account_id != '' GROUP BY project_id, account_id, user_id`,
  ],
  // Minima and maxima: running it twice, or next to the view, changes nothing.
  backfill: ({ db }) => [
    `INSERT INTO ${db}.account_users (project_id, account_id, user_id, first_seen, last_seen)
      SELECT project_id, account_id, user_id, min(timestamp), max(timestamp)
      FROM ${db}.events WHERE account_id != '' GROUP BY project_id, account_id, user_id`,
    `INSERT INTO ${db}.account_users (project_id, account_id, user_id, first_seen, last_seen)
      SELECT project_id, assumeNotNull(account_id), user_id, min(first_seen), max(last_seen)
      FROM ${db}.users WHERE account_id IS NOT NULL
      GROUP BY project_id, account_id, user_id`,
  ],
}
