/**
 * @module
 * A lock for the few migration steps that are not idempotent (swapping two tables), held by one
 * process at a time among every process that migrates the same database.
 *
 * ClickHouse has no locks; creating a table is its one atomic "only if absent". The lock is the
 * table `schema_migration_lock`: whoever creates it holds it, and drops it when done. Its
 * comment names the holder and when the lock lapses, so a holder that died does not block the
 * others for ever: with a server, a lock past its lapse time is taken over; embedded, where no
 * other process can open the store, any lock not taken by this process is left from a crash.
 * Taking over renames the dead holder's lock to a name of its own, which is left in place.
 * A holder renews its lease while it works, so a long step (copying a large table) does not
 * lose the lock to a waiting process.
 *
 * The lock is reentrant within one async call chain: `migrate` holds it for every version it
 * applies, and a version's own steps (`relayout`) take it again without waiting for themselves.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { randomUUID } from 'node:crypto'
import type { Storage } from './client.js'
import { contextFor } from './migration-context.js'

/** How long a holder may keep the lock before others take it over (ON CLUSTER DDL can be slow). */
const LEASE_MS = 10 * 60_000
/** How often a waiting process tries again. */
const POLL_MS = 200

/** This process, as named in the locks it takes. */
const PROCESS = randomUUID()

/** The lock tables held by the current async call chain. */
const held = new AsyncLocalStorage<ReadonlySet<string>>()

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const alreadyExists = (err: unknown) =>
  /\b(57|TABLE_ALREADY_EXISTS)\b/.test(String((err as { code?: unknown }).code ?? '')) ||
  /already exists/i.test((err as Error).message)

/**
 * Run `fn` holding the migration lock of `storage`'s database (at once if this call chain holds
 * it already). `leaseMs` is for tests.
 */
export async function withMigrationLock<T>(
  storage: Storage,
  fn: () => Promise<T>,
  { leaseMs = LEASE_MS } = {},
): Promise<T> {
  const { db, onCluster } = contextFor(storage)
  const table = `${db}.schema_migration_lock`
  const outer = held.getStore()
  if (outer?.has(table)) return fn()
  const token = `${PROCESS} ${randomUUID()}`

  const holder = async (): Promise<{ token: string; lapses: number } | undefined> => {
    const result = await storage.client.query({
      query: `SELECT comment FROM system.tables
              WHERE database = {db:String} AND name = 'schema_migration_lock'`,
      query_params: { db },
      format: 'JSONEachRow',
    })
    const comment = (await result.json<{ comment: string }>())[0]?.comment
    if (comment === undefined) return undefined
    const [process = '', id = '', lapses = '0'] = comment.split(' ')
    return { token: `${process} ${id}`, lapses: Number(lapses) }
  }

  for (;;) {
    try {
      await storage.client.command({
        query: `CREATE TABLE ${table}${onCluster} (at DateTime) ENGINE = Null
                COMMENT '${token} ${Date.now() + leaseMs}'`,
      })
      break
    } catch (err) {
      if (!alreadyExists(err)) throw err
    }
    const current = await holder()
    if (!current) continue
    const stale =
      storage.kind === 'embedded'
        ? !current.token.startsWith(PROCESS)
        : !(current.lapses > Date.now())
    if (stale) {
      // Renamed to a name of its holder's: of several processes taking over the same dead
      // holder's lock, one succeeds; the others find the name taken. The renamed table stays.
      const tombstone = `${table}_${current.token.replace(/[^0-9a-f]/g, '').slice(-32)}`
      try {
        await storage.client.command({ query: `RENAME TABLE ${table} TO ${tombstone}${onCluster}` })
        console.error(`lastseen-ingest: took over a migration lock left by ${current.token}`)
      } catch (err) {
        if (
          !alreadyExists(err) &&
          !/\b(60|UNKNOWN_TABLE)\b/.test(String((err as { code?: unknown }).code))
        ) {
          throw err
        }
      }
      continue
    }
    await sleep(POLL_MS)
  }

  // Renewed a few times per lease, and only while still held (never someone else's lock).
  let renewing = Promise.resolve()
  const renew = setInterval(() => {
    renewing = renewing.then(async () => {
      try {
        if ((await holder())?.token !== token) return
        await storage.client.command({
          query: `ALTER TABLE ${table}${onCluster} MODIFY COMMENT '${token} ${Date.now() + leaseMs}'`,
        })
      } catch (err) {
        console.error(
          'lastseen-ingest: renewing the migration lock failed:',
          (err as Error).message,
        )
      }
    })
  }, leaseMs / 4)
  try {
    return await held.run(new Set([...(outer ?? []), table]), fn)
  } finally {
    clearInterval(renew)
    await renewing
    // Never drop a lock someone took over meanwhile.
    if ((await holder())?.token === token) {
      await storage.client.command({ query: `DROP TABLE IF EXISTS ${table}${onCluster}` })
    }
  }
}
