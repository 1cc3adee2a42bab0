/**
 * @module
 * Version 10 of the schema: `webhook_claims` carries digests, watch marks and email.
 *
 * - `role` says what a row is about: `episode` (a notification of an episode; every row
 *   before this version), `digest` (one message standing for many episodes: the summary after
 *   a backfill or an import, the digest of a check that found more than `LASTSEEN_NOTIFY_MAX`
 *   episodes, the scheduled digest) or `watch` (when the monitor first looked at a project, and
 *   when an import wrote to it: episodes that began before are summarised). `kind` is a key
 *   column whose enum cannot shrink again, so migration 8's statement could not run twice
 *   after an enum grew: a new column instead.
 * - `channel` says where a notification goes: `webhook` (every row before this version) or
 *   `email`. A notification is claimed once per channel.
 *
 * Adding a column with a default changes metadata only; `IF NOT EXISTS` makes a second run (or
 * another node's) change nothing.
 */
import type { Migration } from '../migrations.js'

export const notificationDigests: Migration = {
  version: 10,
  name: 'notification-digests',
  statements: ({ db, onCluster }) => [
    `ALTER TABLE ${db}.webhook_claims${onCluster}
      ADD COLUMN IF NOT EXISTS role LowCardinality(String) DEFAULT 'episode'`,
    `ALTER TABLE ${db}.webhook_claims${onCluster}
      ADD COLUMN IF NOT EXISTS channel LowCardinality(String) DEFAULT 'webhook'`,
  ],
}
