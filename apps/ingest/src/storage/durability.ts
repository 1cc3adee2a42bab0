/**
 * @module
 * Whether an acknowledged insert is on disk or only in the page cache (`LASTSEEN_FSYNC`,
 * default on). ClickHouse writes data parts without `fsync` by default: a `200` would survive
 * a crash of the process, not of the machine (power loss, kernel panic). With fsync on, every
 * MergeTree table of the database is set to
 * - `fsync_after_insert` and `fsync_part_directory`: an insert returns only once its parts'
 *   files and directory entries are on disk. The group commit makes that one set of fsyncs
 *   per group and table, not per event (see docs/benchmarks.md for what it costs);
 * - `min_rows_to_fsync_after_merge = 1`: a merged part is on disk before the parts it
 *   replaces are deleted (at once on embedded chDB, whose `old_parts_lifetime` is 0).
 * Set, or reset, on start whenever the configuration differs from the tables.
 */
import type { Storage } from './client.js'

const SETTINGS = [
  'fsync_after_insert',
  'fsync_part_directory',
  'min_rows_to_fsync_after_merge',
] as const

/** Make every MergeTree table of the database fsync its inserts, or stop doing so. */
export async function applyFsync(storage: Storage, fsync: boolean): Promise<void> {
  const { client, database, cluster } = storage
  const result = await client.query({
    query: `SELECT name, engine_full FROM system.tables
            WHERE database = {db:String} AND engine LIKE '%MergeTree'`,
    query_params: { db: database },
    format: 'JSONEachRow',
  })
  const onCluster = cluster ? ` ON CLUSTER ${cluster}` : ''
  for (const { name, engine_full } of await result.json<{ name: string; engine_full: string }>()) {
    const set = SETTINGS.every((s) => engine_full.includes(`${s} = 1`))
    if (set === fsync) continue
    await client.command({
      query: fsync
        ? `ALTER TABLE ${database}.${name}${onCluster} MODIFY SETTING ${SETTINGS.map((s) => `${s} = 1`).join(', ')}`
        : `ALTER TABLE ${database}.${name}${onCluster} RESET SETTING ${SETTINGS.join(', ')}`,
    })
  }
}
