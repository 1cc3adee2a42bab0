/**
 * Migrations on embedded chDB: idempotent, safe when run concurrently, and the cluster rendering
 * (which chDB cannot execute: no Keeper, no remote_servers) checked statement by statement and
 * parsed by the real ClickHouse parser.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readConfig } from '../src/config.js'
import { openStorage, type Storage } from '../src/storage/client.js'
import { applyFsync } from '../src/storage/durability.js'
import { contextFor } from '../src/storage/migration-context.js'
import { REPLACED_VIEWS } from '../src/storage/migrations/0009-compact-storage.js'
import {
  appliedVersions,
  latestVersion,
  migrate,
  migrations,
  renderMigrations,
} from '../src/storage/migrations.js'
import { applyEventsTtl } from '../src/storage/retention.js'
import { tempDataDir } from './helpers.js'

let storage: Storage
beforeAll(async () => {
  storage = await openStorage(readConfig({ LASTSEEN_DATA_DIR: tempDataDir() }).clickhouse)
})
afterAll(async () => {
  await storage.close()
})

/** The tables queries read; on a cluster they must be Distributed over `_local` tables. */
const LOGICAL = ['events', 'users', 'accounts', 'user_days', 'event_days', 'event_ids', 'traits']

describe('migrate', () => {
  it('applies every version once, concurrently or again', async () => {
    const [a, b] = await Promise.all([migrate(storage), migrate(storage)])
    const all = migrations.map((m) => m.version)
    expect([...(a as number[]), ...(b as number[])].sort()).toEqual(expect.arrayContaining(all))
    expect(await migrate(storage)).toEqual([])
    expect([...(await appliedVersions(storage))].sort((x, y) => x - y)).toEqual(all)
    expect((await appliedVersions(storage)).has(latestVersion())).toBe(true)
    // Every statement may run again on an up-to-date schema, but those creating the views
    // version 9 replaced: they were written for the tables' earlier columns.
    const replaced = new RegExp(`\\.(${REPLACED_VIEWS.join('|')}) TO `)
    for (const statement of renderMigrations({ database: storage.database })) {
      if (replaced.test(statement)) continue
      await storage.client.command({ query: statement })
    }
    const tables = await storage.client.query({
      query: `SELECT name FROM system.tables WHERE database = {db:String}`,
      query_params: { db: storage.database },
      format: 'JSONEachRow',
    })
    const names = (await tables.json<{ name: string }>()).map((t) => t.name)
    expect(names).toEqual(expect.arrayContaining([...LOGICAL, 'events_in', 'api_keys']))
    expect(names.some((n) => n.endsWith('_local'))).toBe(false)
  })

  it('sets, keeps and removes the raw-event TTL', async () => {
    const engine = async () => {
      const r = await storage.client.query({
        query: `SELECT engine_full FROM system.tables WHERE database = {db:String} AND name = 'events'`,
        query_params: { db: storage.database },
        format: 'JSONEachRow',
      })
      return (await r.json<{ engine_full: string }>())[0]?.engine_full
    }
    await applyEventsTtl(storage, 90 * 86_400_000)
    expect(await engine()).toContain('TTL toDateTime(timestamp) + toIntervalSecond(7776000)')
    await applyEventsTtl(storage, 90 * 86_400_000)
    await applyEventsTtl(storage, undefined)
    expect(await engine()).not.toContain('TTL')
  })
})

describe('durable inserts (LASTSEEN_FSYNC)', () => {
  const settings = async () => {
    const r = await storage.client.query({
      query: `SELECT name, engine_full FROM system.tables
              WHERE database = {db:String} AND engine LIKE '%MergeTree'`,
      query_params: { db: storage.database },
      format: 'JSONEachRow',
    })
    return (await r.json<{ name: string; engine_full: string }>()).map(
      (t) =>
        [
          t.name,
          /fsync_after_insert = 1, fsync_part_directory = 1, min_rows_to_fsync_after_merge = 1/.test(
            t.engine_full,
          ),
        ] as const,
    )
  }

  it('fsyncs inserts and merges into every MergeTree table, or stops', async () => {
    await applyFsync(storage, true)
    const on = await settings()
    expect(on.map(([name]) => name)).toEqual(
      expect.arrayContaining(['events', 'event_ids', 'users']),
    )
    expect(on.every(([, fsync]) => fsync)).toBe(true)
    await applyFsync(storage, true)
    await applyFsync(storage, false)
    expect((await settings()).some(([, fsync]) => fsync)).toBe(false)
  })
})

describe('on a cluster (CLICKHOUSE_CLUSTER=prod)', () => {
  const statements = renderMigrations({ database: 'lastseen', cluster: 'prod' })

  it('runs every statement ON CLUSTER, with replicated engines only', () => {
    for (const s of statements) {
      expect(s).toContain(' ON CLUSTER prod')
      const engine = /ENGINE = (\w+)/.exec(s)?.[1]
      if (engine?.endsWith('MergeTree')) expect(engine.startsWith('Replicated')).toBe(true)
    }
  })

  it('makes each logical table Distributed over its _local table, sharded by user', () => {
    for (const name of [...LOGICAL, 'events_in']) {
      const shard =
        name === 'accounts'
          ? 'cityHash64(account_id)'
          : name === 'traits'
            ? 'cityHash64(subject_id)'
            : 'cityHash64(user_id)'
      const distributed = statements.find((s) =>
        s.startsWith(`CREATE TABLE IF NOT EXISTS lastseen.${name} ON CLUSTER prod AS`),
      )
      expect(distributed).toContain(
        `AS lastseen.${name}_local\n    ENGINE = Distributed(prod, lastseen, ${name}_local, ${shard})`,
      )
      expect(
        statements.some((s) =>
          s.startsWith(`CREATE TABLE IF NOT EXISTS lastseen.${name}_local ON CLUSTER prod`),
        ),
      ).toBe(true)
    }
    const replicated = statements.find((s) => s.includes('lastseen.users_local ON CLUSTER'))
    expect(replicated).toContain(
      "ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/lastseen/{table}', '{replica}')",
    )
  })

  it('feeds the aggregates on each shard: views read events_in_local and write _local tables', () => {
    const views = statements.filter((s) => s.includes('MATERIALIZED VIEW'))
    expect(views.length).toBeGreaterThanOrEqual(5)
    for (const view of views) {
      expect(view).toMatch(/ TO lastseen\.\w+_local AS/)
      expect(view).toContain('FROM lastseen.events_in_local')
    }
  })

  it('rebuilds tables (version 4) ON CLUSTER: _local tables swapped, rows copied by shard', () => {
    const v4 =
      migrations
        .find((m) => m.version === 4)
        ?.review?.(contextFor({ database: 'lastseen', cluster: 'prod' })) ?? []
    expect(v4.length).toBeGreaterThan(0)
    for (const s of v4) {
      if (s.startsWith('INSERT')) {
        // Through the Distributed tables: every row is sent to its shard by the same key.
        expect(s).not.toContain('_local')
        continue
      }
      expect(s).toContain(' ON CLUSTER prod')
      const engine = /ENGINE = (\w+)/.exec(s)?.[1]
      if (engine?.endsWith('MergeTree')) expect(engine.startsWith('Replicated')).toBe(true)
    }
    expect(v4).toContain(
      'EXCHANGE TABLES lastseen.events_local AND lastseen.events_v4_local ON CLUSTER prod',
    )
    expect(v4.find((s) => s.includes('lastseen.events_v4_local ON CLUSTER prod ('))).toContain(
      "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/lastseen/{table}', '{replica}')",
    )
  })

  it('is valid ClickHouse SQL (parsed by the engine)', async () => {
    for (const statement of renderMigrations(
      { database: 'lastseen', cluster: 'prod' },
      { all: true },
    )) {
      const parsed = await storage.client.query({
        query: 'SELECT formatQuery({q:String}) AS f',
        query_params: { q: statement },
        format: 'JSONEachRow',
      })
      // The statement's own first words (CREATE, INSERT, EXCHANGE, DROP) survive the parse.
      const formatted = (await parsed.json<{ f: string }>())[0]?.f ?? ''
      expect(formatted.split(/\s/, 2)).toEqual(statement.trim().split(/\s/, 2))
    }
  })
})
