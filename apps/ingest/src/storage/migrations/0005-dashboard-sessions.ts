/**
 * @module
 * Version 5 of the schema: dashboard sessions, and shorter key prefixes.
 *
 * `dashboard_sessions` has a row per sign-in: the SHA-256 of the session id (only the browser
 * holds the id), the project, the digest of the read key it was made with, when it was made and
 * when it expires. Ending a session appends the same row with `ended_at` set and a higher
 * `version`; `ReplacingMergeTree(version)` keeps the latest, so readers use `FINAL`. Rows are
 * dropped a day after they expire. On a cluster the table is copied whole to every node, like
 * `api_keys`, so every ingest process sees every session whichever node it talks to.
 *
 * The backfill shortens the prefix kept in clear beside each stored key from `lsw_` + 8
 * characters (what earlier versions wrote) to `lsw_` + 4: the same row again with the prefix cut
 * and `version + 1`. Running it twice finds nothing left to cut.
 */
import type { Migration } from '../migrations.js'

const ts = "DateTime64(3, 'UTC')"

export const dashboardSessions: Migration = {
  version: 5,
  name: 'dashboard-sessions',
  statements: ({ db, onCluster, everywhere }) => [
    `CREATE TABLE IF NOT EXISTS ${db}.dashboard_sessions${onCluster} (
      session_hash String,
      project_id String,
      key_hash String,
      created_at ${ts},
      expires_at ${ts},
      ended_at Nullable(${ts}),
      version UInt64
    ) ENGINE = ${everywhere('ReplacingMergeTree', 'version')}
    ORDER BY session_hash
    TTL toDateTime(expires_at) + INTERVAL 1 DAY`,
  ],
  backfill: ({ db }) => [
    `INSERT INTO ${db}.api_keys
      (key_hash, project_id, kind, prefix, name, created_at, revoked_at, version)
      SELECT key_hash, project_id, kind, left(prefix, 8), name, created_at, revoked_at, version + 1
      FROM ${db}.api_keys FINAL WHERE length(prefix) > 8`,
  ],
}
