/**
 * @module
 * Version 6 of the schema: traits, who a user or an account is.
 *
 * `traits` has a row per trait key of each `identify` (subject `user`) and `group` (subject
 * `account`) event: the key, its value as JSON text (NULL when the event removed it), the
 * event's stored time and id. The group-commit writer inserts them itself, after `events_in`
 * and before `event_ids` (these events are not activity, so no view of `events_in` sees them).
 *
 * A key's value is the one of its row with the largest (`timestamp`, `id`), so the answer does
 * not depend on the order events arrive in; a NULL latest value means the trait is absent.
 * Read with `argMax(tuple(value), (timestamp, id)).1` (`argMax` alone skips NULL values). The
 * same row stored twice (a repaired insert) has the same sort key: merged away, and never
 * changes an answer meanwhile. Rows are sharded by subject, so deleting a user's traits
 * (`subject = 'user' AND subject_id = …`) touches one shard.
 */
import type { Migration } from '../migrations.js'

/** The columns of `traits`, in the order of the writer's TabSeparated lines. */
export const traitsColumns = `project_id LowCardinality(String),
      subject Enum8('user' = 1, 'account' = 2),
      subject_id String,
      key String,
      value Nullable(String),
      timestamp DateTime64(3, 'UTC'),
      id UUID`

export const traits: Migration = {
  version: 6,
  name: 'traits',
  statements: ({ table }) =>
    table('traits', {
      columns: traitsColumns,
      engine: 'ReplacingMergeTree',
      layout: 'ORDER BY (project_id, subject, subject_id, key, timestamp, id)',
      shardBy: 'cityHash64(subject_id)',
    }),
}
