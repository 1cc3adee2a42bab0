/**
 * @module
 * The insights history every read and disk benchmark seeds: one `INSERT … SELECT … FROM
 * numbers()` into the service's `events_in` table, so its materialized views fill the raw
 * table and the aggregates exactly as live traffic would.
 *
 * User `u_k` (of `users`, in `users / 20` accounts) was last active about `k % 60` days ago
 * and active during the 30 days before that; ten event names, `login` among them; every event
 * has the same tiny `properties`.
 */
import type { ClickHouseClient } from '@clickhouse/client'

/** The ten event names of the seeded histories. */
export const EVENT_NAMES = [
  'search',
  'report.export',
  'login',
  'page.view',
  'invite.sent',
  'settings.update',
  'file.upload',
  'comment',
  'share',
  'billing.view',
] as const

/** Insert events `from` … `from + n - 1` of the history of `users` users into `database`. */
export async function seedInsightsHistory(
  client: ClickHouseClient,
  database: string,
  from: number,
  n: number,
  users: number,
): Promise<void> {
  const accounts = Math.max(1, Math.round(users / 20))
  await client.command({
    query: `INSERT INTO ${database}.events_in
      (project_id, id, type, event, user_id, account_id, timestamp, sent_at, received_at,
       properties, count, flags)
      SELECT 'default', generateUUIDv4(number), 'track',
        [${EVENT_NAMES.map((x) => `'${x}'`).join(',')}][1 + cityHash64(number, 1) % ${EVENT_NAMES.length}],
        concat('u_', toString(u)), concat('a_', toString(u % ${accounts})),
        ts, ts, ts, '{"query":"q"}', 1, 0
      FROM (
        SELECT number, number % ${users} AS u,
          toDateTime64(now() - toIntervalSecond((u % 60) * 86400 + cityHash64(number) % 2592000),
                       3, 'UTC') AS ts
        FROM numbers(${from}, ${n})
      )`,
  })
}

/**
 * Wait (at most `timeoutMs`) until no background merge runs in `database`, so that what is
 * measured next is the store as it settles, not a merge storm; how long it took, in ms.
 */
export async function settleMerges(
  client: ClickHouseClient,
  database: string,
  timeoutMs: number,
): Promise<number> {
  const start = Date.now()
  while (Date.now() - start < timeoutMs) {
    const result = await client.query({
      query: `SELECT count() AS n FROM system.merges WHERE database = {db:String}`,
      query_params: { db: database },
      format: 'JSONEachRow',
    })
    if (Number((await result.json<{ n: string | number }>())[0]?.n ?? 0) === 0) break
    await new Promise((resolve) => setTimeout(resolve, 1_000))
  }
  return Date.now() - start
}
