/**
 * @module
 * How long raw events are kept (`LASTSEEN_EVENTS_TTL`): a TTL on `events` by event time, set,
 * changed or removed on start when the configuration differs from the table. Only raw rows
 * expire; the per-user, per-account and per-day aggregates are kept.
 */
import type { Storage } from './client.js'

/** The TTL clause for `ttlMs`, as ClickHouse prints it back in `system.tables`. */
const ttlClause = (ttlMs: number) =>
  `toDateTime(timestamp) + toIntervalSecond(${Math.round(ttlMs / 1000)})`

/** Make the TTL of `events` match `ttlMs` (unset: keep raw events forever). */
export async function applyEventsTtl(storage: Storage, ttlMs: number | undefined): Promise<void> {
  const { client, database, cluster } = storage
  const table = cluster ? 'events_local' : 'events'
  const result = await client.query({
    query: `SELECT engine_full FROM system.tables
            WHERE database = {db:String} AND name = {table:String}`,
    query_params: { db: database, table },
    format: 'JSONEachRow',
  })
  const engine = (await result.json<{ engine_full: string }>())[0]?.engine_full ?? ''
  const current = / TTL (.+?)(?: SETTINGS |$)/.exec(engine)?.[1]
  const wanted = ttlMs === undefined ? undefined : ttlClause(ttlMs)
  if (current === wanted) return
  const onCluster = cluster ? ` ON CLUSTER ${cluster}` : ''
  await client.command({
    query: wanted
      ? `ALTER TABLE ${database}.${table}${onCluster} MODIFY TTL ${wanted}`
      : `ALTER TABLE ${database}.${table}${onCluster} REMOVE TTL`,
  })
}
