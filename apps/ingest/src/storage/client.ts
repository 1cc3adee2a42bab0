/**
 * @module
 * The ClickHouse connection: embedded chDB on disk when no server is configured, otherwise a
 * ClickHouse server over HTTP. Both are driven through `@clickhouse/client`, so every query
 * in the service runs unchanged against either.
 */
import { accessSync, constants, mkdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client'
import { type Config, debugEnabled } from '../config.js'
import { loadChdbConnection } from './chdb.js'

/**
 * The client's own log: off, since every error it would log reaches the caller, which reports it
 * once (an operator saw a wrong password twice); on with `LASTSEEN_DEBUG=1`.
 */
const clientLog = () => ({
  level: debugEnabled() ? ClickHouseLogLevel.WARN : ClickHouseLogLevel.OFF,
})

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>

/** An open store: the client and the database every table lives in. */
export interface Storage {
  /** Embedded chDB (this process alone opens the store) or a ClickHouse server. */
  kind: 'embedded' | 'remote'
  client: ClickHouseClient
  /** Database name, already validated as an identifier. */
  database: string
  /** `CLICKHOUSE_CLUSTER`, when the schema lives on a cluster. */
  cluster?: string
  /** Where the data is, for logs: a directory or a URL without credentials. */
  location: string
  /** Deadline of the storage calls requests wait on, in ms (see `deadline.ts`). */
  timeoutMs: number
  close(): Promise<void>
}

/** The store cannot be opened; the message says what to do. */
export class StorageOpenError extends Error {
  override readonly name = 'StorageOpenError'
}

/** Open the store described by the configuration. */
export async function openStorage(config: Config['clickhouse']): Promise<Storage> {
  if (config.kind === 'embedded') {
    prepareDataDir(config.dataDir)
    // Said before the engine tries: it would print its own "Cannot lock file" to stderr.
    refuseHeldStore(config.dataDir)
    // Loaded lazily: the native engine is only needed when running embedded.
    const { createChdbConnection } = await loadChdbConnection()
    let connection: ReturnType<typeof createChdbConnection>
    try {
      connection = createChdbConnection({ path: config.dataDir })
    } catch (err) {
      refuseHeldStore(config.dataDir, err)
      throw new StorageOpenError(
        `cannot open the embedded store at ${config.dataDir}: ${firstLine(err)}`,
        { cause: err },
      )
    }
    // chdb types its connection against @clickhouse/client-common, which the client bundles as
    // a separate copy; the shapes are the same, the declarations are not.
    const client = createClient({
      connection: connection as unknown as ClientConnection,
      log: clientLog(),
    })
    return {
      kind: 'embedded',
      client,
      database: config.database,
      location: config.dataDir,
      timeoutMs: config.timeoutMs,
      close: () => client.close(),
    }
  }
  const client = createClient({
    url: config.url,
    log: clientLog(),
    ...(config.username ? { username: config.username } : {}),
    ...(config.password ? { password: config.password } : {}),
    request_timeout: 30_000,
    // A long copy (the schema 4 rebuild) keeps its request alive with a progress header every
    // 10 s; Node's 16 KB header cap would cut it after about 11 minutes.
    max_response_headers_size: 2 ** 23, // 8 MiB
    clickhouse_settings: {
      date_time_input_format: 'best_effort',
      // On a cluster an insert into a Distributed table returns only once the shards have the
      // rows, so a 200 still means stored.
      ...(config.cluster ? { insert_distributed_sync: 1 as const } : {}),
    },
  })
  const url = new URL(config.url)
  url.username = ''
  url.password = ''
  await checkServer(client, url.toString(), config.username)
  return {
    kind: 'remote',
    client,
    database: config.database,
    ...(config.cluster ? { cluster: config.cluster } : {}),
    location: url.toString(),
    timeoutMs: config.timeoutMs,
    close: () => client.close(),
  }
}

const firstLine = (err: unknown) => String((err as Error).message ?? err).split('\n')[0] ?? ''

/** Create the data directory if needed, and refuse one the service cannot write, saying why. */
function prepareDataDir(dir: string): void {
  const fix = 'choose another with --data-dir or LASTSEEN_DATA_DIR'
  try {
    mkdirSync(dir, { recursive: true })
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error(), { code: 'EEXIST' })
    accessSync(dir, constants.W_OK | constants.X_OK)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const why =
      code === 'EEXIST' || code === 'ENOTDIR'
        ? 'it (or a folder on its path) is a file, not a directory'
        : code === 'EACCES' || code === 'EPERM'
          ? `permission denied for the user running lastseen-ingest (uid ${process.getuid?.() ?? '?'}); give it write access or ${fix}`
          : code === 'EROFS'
            ? 'the file system is read-only'
            : firstLine(err)
    throw new StorageOpenError(
      `cannot use ${dir} as the data directory: ${why}${why.includes(fix) ? '' : `; ${fix}`}`,
      { cause: err },
    )
  }
}

/**
 * One query before anything else, so a server that is not there or refuses the user is said
 * once, in a line, rather than by the first migration's stack trace.
 */
async function checkServer(client: ClickHouseClient, url: string, user?: string): Promise<void> {
  try {
    await (await client.query({ query: 'SELECT 1', format: 'JSONEachRow' })).json()
  } catch (err) {
    await client.close()
    const e = err as { code?: unknown; type?: unknown; message?: string; cause?: unknown }
    const socket = socketCode(err)
    if (socket) {
      throw new StorageOpenError(
        `cannot reach ClickHouse at ${url} (${socket}); is the server running, and is CLICKHOUSE_URL right?`,
        { cause: err },
      )
    }
    if (e.code === '516' || e.type === 'AUTHENTICATION_FAILED') {
      throw new StorageOpenError(
        `ClickHouse at ${url} refused user ${user ?? 'default'}: wrong user or password; check CLICKHOUSE_USER and CLICKHOUSE_PASSWORD`,
        { cause: err },
      )
    }
    throw new StorageOpenError(`ClickHouse at ${url} failed a first query: ${firstLine(err)}`, {
      cause: err,
    })
  }
}

/** The socket error code (ECONNREFUSED, ENOTFOUND, …) of `err` or one of its causes. */
function socketCode(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown } | undefined
  for (let depth = 0; e && depth < 5; depth++, e = e.cause as typeof e) {
    if (typeof e.code === 'string' && /^E[A-Z_]+$/.test(e.code)) return e.code
  }
  return undefined
}

/**
 * Refuse a store another live process holds. The engine writes its PID to `status` in the data
 * directory while it has the store open and removes the file when it closes it; a file left by
 * a crash names a process that is gone, and does not count.
 */
function refuseHeldStore(dir: string, cause?: unknown): void {
  let pid: number
  try {
    pid = Number(/^PID: (\d+)/.exec(readFileSync(join(dir, 'status'), 'utf8'))?.[1])
  } catch {
    return
  }
  if (!pid || pid === process.pid || !alive(pid)) return
  throw new StorageOpenError(
    `cannot open the embedded store at ${dir}: another process (PID ${pid}, a running ` +
      'lastseen-ingest?) has it open, and it serves one process at a time; stop that process ' +
      'first, or use a ClickHouse server (CLICKHOUSE_URL)',
    { cause },
  )
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: it exists, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
