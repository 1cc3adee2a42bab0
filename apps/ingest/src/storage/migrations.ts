/**
 * @module
 * Versioned schema migrations. Each is a list of idempotent statements (`IF NOT EXISTS`), applied
 * in order on start and by `lastseen-ingest migrate`, and recorded in `schema_migrations`; running
 * them twice, or from two processes at once, is safe. A migration whose steps depend on what the
 * store holds (rebuilding a table) does them in {@link Migration.run}, under the same rules.
 *
 * Pending versions are applied under the migration lock, so when several processes (or calls)
 * migrate at once, each version's steps run once and one of them reports it applied; the others
 * wait, then find it recorded.
 */
import type { Storage } from './client.js'
import { contextFor, type MigrationContext } from './migration-context.js'
import { withMigrationLock } from './migration-lock.js'
import { init } from './migrations/0001-init.js'
import { webhookClaims } from './migrations/0002-webhook-claims.js'
import { readAggregates } from './migrations/0003-read-aggregates.js'
import { boundedPartitions } from './migrations/0004-bounded-partitions.js'
import { dashboardSessions } from './migrations/0005-dashboard-sessions.js'
import { traits } from './migrations/0006-traits.js'
import { dataRights } from './migrations/0007-data-rights.js'
import { decliningClaims } from './migrations/0008-declining-claims.js'
import { compactStorage } from './migrations/0009-compact-storage.js'
import { notificationDigests } from './migrations/0010-notification-digests.js'

export type { MigrationContext, TableSpec } from './migration-context.js'

/** One schema version. */
export interface Migration {
  version: number
  name: string
  statements(ctx: MigrationContext): string[]
  /**
   * Statements that fill new tables from existing ones (`INSERT … SELECT`), run once after
   * `statements`, before the version is recorded. They must be safe to run twice.
   */
  backfill?(ctx: MigrationContext): string[]
  /**
   * Steps that depend on the store's state, run after `backfill`. Like statements, they must
   * finish the work when run again after an interruption, and be safe from two processes.
   */
  run?(storage: Storage, ctx: MigrationContext): Promise<void>
  /** Every statement `run` may execute, for review and tests. */
  review?(ctx: MigrationContext): string[]
}

/** Every migration, in order. Append only: a released migration never changes. */
export const migrations: readonly Migration[] = [
  init,
  webhookClaims,
  readAggregates,
  boundedPartitions,
  dashboardSessions,
  traits,
  dataRights,
  decliningClaims,
  compactStorage,
  notificationDigests,
]

/** Versions already applied. */
export async function appliedVersions(
  storage: Storage,
  signal?: AbortSignal,
): Promise<Set<number>> {
  const result = await storage.client.query({
    query: `SELECT DISTINCT version FROM ${storage.database}.schema_migrations`,
    format: 'JSONEachRow',
    ...(signal ? { abort_signal: signal } : {}),
  })
  const rows = await result.json<{ version: number }>()
  return new Set(rows.map((r) => Number(r.version)))
}

/** ClickHouse's TABLE_ALREADY_EXISTS: another process created it between check and create. */
const ALREADY_EXISTS = /\b(57|TABLE_ALREADY_EXISTS)\b/

/** Run one idempotent statement; losing a race to create the same object is success. */
async function run(storage: Storage, statement: string): Promise<void> {
  try {
    await storage.client.command({ query: statement })
  } catch (err) {
    const code = (err as { code?: string }).code ?? ''
    if (ALREADY_EXISTS.test(code) || /already exists/i.test((err as Error).message)) return
    throw err
  }
}

/**
 * Every idempotent statement of every migration, as rendered for `where` (for review and
 * tests); with `all`, also the backfills and the statements of `run` steps.
 */
export function renderMigrations(
  where: { database: string; cluster?: string },
  { all = false } = {},
): string[] {
  const ctx = contextFor(where)
  return migrations.flatMap((m) => [
    ...m.statements(ctx),
    ...(all ? [...(m.backfill?.(ctx) ?? []), ...(m.review?.(ctx) ?? [])] : []),
  ])
}

/**
 * Apply every migration not yet recorded, up to version `upTo` (default: all); returns the
 * versions applied now.
 */
export async function migrate(storage: Storage, { upTo = Infinity } = {}): Promise<number[]> {
  const ctx = contextFor(storage)
  const { client } = storage
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${ctx.db}${ctx.onCluster}` })
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${ctx.db}.schema_migrations${ctx.onCluster} (
      version UInt32,
      name String,
      applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = ${ctx.everywhere('ReplacingMergeTree')} ORDER BY version`,
  })
  const pending = (done: Set<number>) =>
    migrations.filter((m) => !done.has(m.version) && m.version <= upTo)
  // Up to date, the usual case on start: no lock to take.
  if (pending(await appliedVersions(storage)).length === 0) return []
  return withMigrationLock(storage, async () => {
    // Read again under the lock: whoever held it before may have applied some versions.
    const applied: number[] = []
    for (const migration of pending(await appliedVersions(storage))) {
      for (const statement of migration.statements(ctx)) await run(storage, statement)
      for (const statement of migration.backfill?.(ctx) ?? []) {
        await client.command({ query: statement })
      }
      await migration.run?.(storage, ctx)
      await client.insert({
        table: `${ctx.db}.schema_migrations`,
        values: [{ version: migration.version, name: migration.name }],
        format: 'JSONEachRow',
      })
      applied.push(migration.version)
    }
    return applied
  })
}

/** The newest schema version this build knows. */
export const latestVersion = (): number => migrations.at(-1)?.version ?? 0
