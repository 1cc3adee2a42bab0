/**
 * @module
 * Version 10 of the schema: `webhook_claims` carries digests and email.
 *
 * - `kind` learns `digest` (one message standing for many episodes: the summary after a
 *   backfill or an import, the digest of a check that found more than `LASTSEEN_NOTIFY_MAX`
 *   episodes, the scheduled digest) and `watch` (when the monitor first looked at a project,
 *   and when an import wrote to it: episodes that began before are summarised, not announced
 *   one by one).
 * - `channel` says where a notification goes: `webhook` (every row before this version) or
 *   `email`. A notification is claimed once per channel.
 *
 * Adding enum values and a column with a default changes metadata only; `IF NOT EXISTS` and
 * modifying a column to the type it has make a second run (or another node's) change nothing.
 */
import type { Migration } from '../migrations.js'

export const notificationDigests: Migration = {
  version: 10,
  name: 'notification-digests',
  statements: ({ db, onCluster }) => [
    `ALTER TABLE ${db}.webhook_claims${onCluster}
      MODIFY COLUMN kind Enum8('inactive' = 1, 'returned' = 2, 'declining' = 3, 'digest' = 4, 'watch' = 5)`,
    `ALTER TABLE ${db}.webhook_claims${onCluster}
      ADD COLUMN IF NOT EXISTS channel LowCardinality(String) DEFAULT 'webhook'`,
  ],
}
