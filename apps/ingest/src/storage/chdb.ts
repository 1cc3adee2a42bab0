/**
 * @module
 * The embedded engine, chDB: an optional dependency (a native module of about 540 MB) that is
 * loaded only when no ClickHouse server is configured, so an install for a server can leave it
 * out (`npm install --omit=optional`).
 */
import { StorageOpenError } from './client.js'

type Chdb = typeof import('chdb')
type ChdbConnection = typeof import('chdb/connection')

/** Why the embedded store cannot run without chDB, and the two ways out. */
export const CHDB_MISSING =
  'the embedded store needs the package chdb, which is not installed: install it ' +
  '(npm install chdb, next to @lastseen/ingest) or set CLICKHOUSE_URL to use a ClickHouse server'

/** `import(specifier)`, turning "chdb is not installed" into a `StorageOpenError`. */
async function load<T>(specifier: 'chdb' | 'chdb/connection'): Promise<T> {
  try {
    return (await import(specifier)) as T
  } catch (err) {
    const e = err as { code?: string; message?: string }
    const missing =
      (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND') &&
      /['"]chdb['"/]/.test(e.message ?? '')
    if (missing) throw new StorageOpenError(CHDB_MISSING, { cause: err })
    throw err
  }
}

/** `chdb/connection`, the engine as a `@clickhouse/client` connection. */
export const loadChdbConnection = () => load<ChdbConnection>('chdb/connection')

/** `chdb` itself (sessions, `drainPending`). */
export const loadChdb = () => load<Chdb>('chdb')
