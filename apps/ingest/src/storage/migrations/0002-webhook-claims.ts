/**
 * @module
 * Version 2 of the schema: the inactivity webhooks' state.
 *
 * `webhook_claims` is append-only. Each notification (one per user or account, per inactivity
 * episode `seq`, per `kind`) has a deterministic `notification_id`. A process that wants to send
 * it inserts a `claimed` row, waits a settle delay, and reads the claims back: the earliest
 * (`at`, then `claimer`) wins, the same answer for every reader. The winner sends, then appends
 * a `delivered` row (or `failed` when the receiver refused it for good). `lease` counts
 * takeovers of a claim whose owner never delivered; a claimer whose insert was too slow to
 * be safely ordered appends `withdrawn` and drops out. See docs/insights.md.
 */
import type { Migration } from '../migrations.js'

const ts = "DateTime64(3, 'UTC')"

export const webhookClaims: Migration = {
  version: 2,
  name: 'webhook-claims',
  statements: ({ db, onCluster, everywhere }) => [
    `CREATE TABLE IF NOT EXISTS ${db}.webhook_claims${onCluster} (
      project_id LowCardinality(String),
      level Enum8('user' = 1, 'account' = 2),
      entity_id String,
      seq UInt32,
      kind Enum8('inactive' = 1, 'returned' = 2),
      notification_id String,
      lease UInt32,
      claimer String,
      state Enum8('claimed' = 1, 'delivered' = 2, 'failed' = 3, 'withdrawn' = 4),
      since ${ts},
      payload String CODEC(ZSTD(3)),
      at ${ts} DEFAULT now64(3)
    ) ENGINE = ${
      // Every node holds every claim: a process sees all claims whichever node it talks to.
      everywhere('MergeTree')
    }
    ORDER BY (project_id, level, entity_id, seq, kind, lease)`,
  ],
}
