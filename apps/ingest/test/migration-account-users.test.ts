/**
 * Schema version 7 on a store that already holds events: `account_users` is filled from what
 * was stored before it (raw track events, and the per-user rows for heartbeats), so deleting a
 * user computes its accounts' first and last seen again from the other users' history.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { readConfig } from '../src/config.js'
import { openStorage, type Storage } from '../src/storage/client.js'
import { migrate } from '../src/storage/migrations.js'
import { tempDataDir } from './helpers.js'

let storage: Storage
beforeAll(async () => {
  storage = await openStorage(readConfig({ LASTSEEN_DATA_DIR: tempDataDir() }).clickhouse)
})
afterAll(async () => {
  await storage.close()
})

it('fills account_users from the events and users stored before it', async () => {
  await migrate(storage, { upTo: 6 })
  const db = storage.database
  const row = (type: string, user: string, account: string, at: string) =>
    `('p', generateUUIDv4(), '${type}', '${type === 'track' ? 'search' : ''}', '${user}', '${account}', '${at}', now64(3), now64(3), '', 1, 0)`
  await storage.client.command({
    query: `INSERT INTO ${db}.events_in (project_id, id, type, event, user_id, account_id,
              timestamp, sent_at, received_at, properties, count, flags) VALUES
            ${row('track', 'u_1', 'acme', '2026-01-01 10:00:00')},
            ${row('seen', 'u_1', 'acme', '2026-02-01 10:00:00')},
            ${row('track', 'u_2', 'beta', '2026-03-01 10:00:00')}`,
  })
  expect(await migrate(storage, { upTo: 7 })).toEqual([7])
  const result = await storage.client.query({
    query: `SELECT account_id, user_id, toString(min(first_seen)) AS first, toString(max(last_seen)) AS last
            FROM ${db}.account_users GROUP BY account_id, user_id ORDER BY account_id`,
    format: 'JSONEachRow',
  })
  expect(await result.json()).toEqual([
    // The heartbeat is not a raw event: its time comes from the user's row.
    {
      account_id: 'acme',
      user_id: 'u_1',
      first: '2026-01-01 10:00:00.000',
      last: '2026-02-01 10:00:00.000',
    },
    {
      account_id: 'beta',
      user_id: 'u_2',
      first: '2026-03-01 10:00:00.000',
      last: '2026-03-01 10:00:00.000',
    },
  ])
})
