/**
 * @module
 * Rebuilding a table with a new layout (partition key) under its own name, while the service
 * keeps writing to it. ClickHouse cannot change a table's partition key in place.
 *
 * For a table `t`, fed by its view from `events_in`:
 * 1. create `t_vN` with the new layout, and a view `t_vN_mv` that feeds it the same rows as
 *    `t`'s own view; from now on every insert reaches both tables;
 * 2. copy `t` into `t_vN` (rows written meanwhile reach `t_vN` twice, which changes no answer:
 *    aggregates are sets, minima and maxima, and raw events are read by distinct id);
 * 3. exchange the two tables' names in one atomic step: `t`'s view, which finds its table by
 *    name, now feeds the new table, and `t_vN_mv` the old one;
 * 4. drop `t_vN_mv`, then the old table.
 *
 * At every moment both tables exist and receive every row, so nothing written during the
 * rebuild is missed, and readers always find a complete `t`. Steps 1 and 3–4 run under the
 * migration lock and only while `t` still has its old layout, so a second process (or the
 * next start after a crash) never swaps the tables back: it finds the work done, or finishes
 * it. On a cluster the `_local` tables are rebuilt and swapped `ON CLUSTER`; the copy goes
 * through the `Distributed` tables, so each row stays on its shard.
 */
import type { ClickHouseSettings } from '@clickhouse/client'
import type { Storage } from './client.js'
import type { MigrationContext, TableSpec } from './migration-context.js'
import { withMigrationLock } from './migration-lock.js'

/** A table to rebuild, and how it is fed. */
export interface Relayout {
  /** Logical name, such as `events`. */
  name: string
  /** Its columns and new layout. */
  spec: TableSpec
  /** The partition key of the new layout as `system.tables` prints it; `''` for none. */
  partitionKey: string
  /**
   * How to tell the table is rebuilt when its partition key stays: a column whose type and
   * codec (`system.columns`: type, a space, codec) contain `has`, or, with `has: null`, a column
   * the rebuilt table no longer has.
   */
  done?: { column: string; has: string | null }
  /** The SELECT of the view that feeds it, reading `events_in` through `local`. */
  view(local: (name: string) => string): string
  /**
   * The view's SELECT differs from the old table's (its columns changed): the old view cannot
   * feed the rebuilt table, so the swap replaces it (see {@link relayoutStatements}).
   */
  newView?: boolean
  /** The copy into `next` (the new table's name), when it is not `SELECT *` of the old table. */
  copy?(ctx: MigrationContext, next: string): string
}

/** Every statement of one rebuild, by step. */
export interface RelayoutStatements {
  create: string[]
  copy: string
  swap: string[]
  retire: string[]
}

/** The statements rebuilding `r`, with `suffix` (such as `_v4`) naming the temporary table. */
export function relayoutStatements(
  ctx: MigrationContext,
  r: Relayout,
  suffix: string,
): RelayoutStatements {
  const { db, onCluster, local } = ctx
  const next = `${r.name}${suffix}`
  /** The old table, once the new one has its name (tables whose view changes). */
  const old = `${next}_old`
  return {
    create: [
      ...ctx.table(next, r.spec),
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${next}_mv${onCluster} TO ${local(next)} AS
      ${r.view(local)}`,
    ],
    // Every partition of the new layout at once: no limit on partitions per insert.
    copy:
      r.copy?.(ctx, next) ??
      `INSERT INTO ${db}.${next} SETTINGS max_partitions_per_insert_block = 0
      SELECT * FROM ${db}.${r.name}`,
    swap: r.newView
      ? [
          // The old view would feed the rebuilt table rows it cannot hold: it goes first; then
          // the old table steps aside and the new one takes its name in one RENAME. Until a
          // view with the new SELECT feeds it under that name (the first step of `retire`, so
          // a run stopped right after the swap still makes it), `next`'s view has no table:
          // an insert in that instant fails as a whole and is retried, like any failed insert.
          `DROP VIEW IF EXISTS ${db}.${r.name}_mv${onCluster}`,
          `RENAME TABLE ${local(r.name)} TO ${local(old)}, ${local(next)} TO ${local(r.name)}${onCluster}`,
        ]
      : [`EXCHANGE TABLES ${local(r.name)} AND ${local(next)}${onCluster}`],
    retire: [
      ...(r.newView
        ? [
            `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.${r.name}_mv${onCluster} TO ${local(r.name)} AS
      ${r.view(local)}`,
            `DROP TABLE IF EXISTS ${local(old)}${onCluster}`,
            // On a cluster the Distributed table still has the old columns: made again.
            ...(local(r.name) === `${db}.${r.name}`
              ? []
              : [
                  `DROP TABLE IF EXISTS ${db}.${r.name}${onCluster}`,
                  ...ctx.table(r.name, r.spec).slice(1),
                ]),
          ]
        : []),
      `DROP VIEW IF EXISTS ${db}.${next}_mv${onCluster}`,
      ...(local(next) === `${db}.${next}`
        ? []
        : [`DROP TABLE IF EXISTS ${db}.${next}${onCluster}`]),
      `DROP TABLE IF EXISTS ${local(next)}${onCluster}`,
    ],
  }
}

/**
 * The copy of a large table may run for minutes without a byte of answer: a server sends
 * progress headers meanwhile, so no idle timeout cuts the HTTP request.
 */
const copySettings: ClickHouseSettings = {
  send_progress_in_http_headers: 1,
  http_headers_progress_interval_ms: '10000',
}

/** The partition key `table` has now (`''` for none), on the node the client talks to. */
async function partitionKeyOf(storage: Storage, table: string): Promise<string | undefined> {
  const [database, name] = table.split('.') as [string, string]
  const result = await storage.client.query({
    query: `SELECT partition_key FROM system.tables
            WHERE database = {database:String} AND name = {name:String}`,
    query_params: { database, name },
    format: 'JSONEachRow',
  })
  return (await result.json<{ partition_key: string }>())[0]?.partition_key
}

/** Whether the column `done.column` of `table` matches `done.has` (see {@link Relayout.done}). */
async function columnRebuilt(
  storage: Storage,
  table: string,
  done: NonNullable<Relayout['done']>,
): Promise<boolean> {
  const [database, name] = table.split('.') as [string, string]
  const result = await storage.client.query({
    query: `SELECT concat(type, ' ', compression_codec) AS shape FROM system.columns
            WHERE database = {database:String} AND table = {name:String}
              AND name = {column:String}`,
    query_params: { database, name, column: done.column },
    format: 'JSONEachRow',
  })
  const [row] = await result.json<{ shape: string }>()
  return done.has === null ? row === undefined : (row?.shape.includes(done.has) ?? false)
}

/** Longest wait for inserts that began before the new table's view existed. */
const EARLIER_INSERTS_WAIT_MS = 60_000

/**
 * On a server, wait until no insert into `events_in` that began before now is still running.
 * ClickHouse picks the views an insert feeds when the insert starts: one that began before the
 * new table's view existed reaches the old table only, and if its part lands after the copy's
 * snapshot the rebuilt table would miss its rows. (Embedded, statements run one at a time.)
 */
async function earlierInsertsDone(storage: Storage): Promise<void> {
  const processes = storage.cluster
    ? `clusterAllReplicas('${storage.cluster}', system.processes)`
    : 'system.processes'
  const since = Date.now()
  for (;;) {
    // An insert that has run longer than this wait began before it, so before the view.
    const result = await storage.client.query({
      query: `SELECT count() AS n FROM ${processes}
              WHERE query_kind = 'Insert' AND positionCaseInsensitive(query, 'events_in') > 0
                AND elapsed > {waited:Float64}`,
      query_params: { waited: (Date.now() - since) / 1000 },
      format: 'JSONEachRow',
    })
    const [row] = await result.json<{ n: string | number }>()
    if (Number(row?.n ?? 0) === 0) return
    if (Date.now() - since > EARLIER_INSERTS_WAIT_MS) {
      console.error(
        `lastseen-ingest: inserts begun before a table rebuild still run after ${EARLIER_INSERTS_WAIT_MS / 1000} s; copying now`,
      )
      return
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** Rebuild `r` with its new layout, unless it has it already; see the module comment. */
export async function relayout(
  storage: Storage,
  ctx: MigrationContext,
  r: Relayout,
  suffix: string,
): Promise<void> {
  const steps = relayoutStatements(ctx, r, suffix)
  const run = (query: string, settings?: ClickHouseSettings) =>
    storage.client.command({ query, ...(settings ? { clickhouse_settings: settings } : {}) })
  const rebuilt = async () =>
    r.done
      ? columnRebuilt(storage, ctx.local(r.name), r.done)
      : (await partitionKeyOf(storage, ctx.local(r.name))) === r.partitionKey

  const started = await withMigrationLock(storage, async () => {
    if (await rebuilt()) return false
    for (const statement of steps.create) await run(statement)
    return true
  })
  if (started) {
    if (storage.kind === 'remote') await earlierInsertsDone(storage)
    try {
      await run(steps.copy, copySettings)
    } catch (err) {
      // Another process finished the rebuild (and dropped the temporary table) meanwhile.
      if (!(await rebuilt())) throw err
    }
  }
  await withMigrationLock(storage, async () => {
    if (!(await rebuilt())) for (const statement of steps.swap) await run(statement)
    for (const statement of steps.retire) await run(statement)
  })
}
