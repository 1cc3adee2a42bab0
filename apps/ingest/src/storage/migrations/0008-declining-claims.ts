/**
 * @module
 * Version 8 of the schema: `webhook_claims` learns the `declining` kind (the `user.declining`
 * and `account.declining` notifications), as value 3 of its `kind` enum. Adding a value to an
 * `Enum8` changes metadata only: no row is rewritten, and rows of the other kinds keep their
 * values. Modifying the column to the type it already has changes nothing, so running it again
 * (or from every node of a cluster, where the table's one replication path is shared) is safe.
 */
import type { Migration } from '../migrations.js'

export const decliningClaims: Migration = {
  version: 8,
  name: 'declining-claims',
  statements: ({ db, onCluster }) => [
    `ALTER TABLE ${db}.webhook_claims${onCluster}
      MODIFY COLUMN kind Enum8('inactive' = 1, 'returned' = 2, 'declining' = 3)`,
  ],
}
