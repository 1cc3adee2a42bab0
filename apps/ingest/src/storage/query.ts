/**
 * @module
 * Running a read query (insights, webhooks): named parameters, `{db}` for the database, JSON
 * rows, the storage deadline, and 64-bit counts as numbers.
 */
import type { ClickHouseSettings } from '@clickhouse/client'
import type { Storage } from './client.js'
import { withDeadline } from './deadline.js'

/**
 * On a cluster the tables are Distributed: a subquery or join over another Distributed table
 * is sent to every shard (`GLOBAL`), because accounts are not sharded like users.
 */
const onCluster: ClickHouseSettings = { distributed_product_mode: 'global' }

/**
 * Run `sql` (with `{db}` standing for the database) and return its rows, or fail with a
 * `StorageTimeoutError` past the storage deadline.
 */
export async function rows<T>(
  storage: Storage,
  sql: string,
  params: Record<string, unknown> = {},
  settings: ClickHouseSettings = {},
): Promise<T[]> {
  return withDeadline(storage, 'a read', async (signal) => {
    const result = await storage.client.query({
      query: sql.replaceAll('{db}', storage.database),
      query_params: params,
      format: 'JSONEachRow',
      clickhouse_settings: storage.cluster ? { ...onCluster, ...settings } : settings,
      abort_signal: signal,
    })
    return result.json<T>()
  })
}

/** A count as ClickHouse returns it (64-bit integers arrive as strings). */
export const num = (value: string | number | null | undefined): number => Number(value ?? 0)
