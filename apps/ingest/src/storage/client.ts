/**
 * @module
 * The ClickHouse connection: embedded chDB on disk when no server is configured, otherwise a
 * ClickHouse server over HTTP. Both are driven through `@clickhouse/client`, so every query
 * in the service runs unchanged against either.
 */
import { mkdirSync } from 'node:fs'
import { type ClickHouseClient, createClient } from '@clickhouse/client'
import type { Config } from '../config.js'

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
    mkdirSync(config.dataDir, { recursive: true })
    // Loaded lazily: the native engine is only needed when running embedded.
    const { createChdbConnection } = await import('chdb/connection')
    let connection: ReturnType<typeof createChdbConnection>
    try {
      connection = createChdbConnection({ path: config.dataDir })
    } catch (err) {
      throw new StorageOpenError(
        `cannot open the embedded store at ${config.dataDir}: ${(err as Error).message}. ` +
          'Is another process (a running lastseen-ingest?) using it? The embedded store serves ' +
          'one process at a time: stop the service first, or use a ClickHouse server (CLICKHOUSE_URL).',
      )
    }
    // chdb types its connection against @clickhouse/client-common, which the client bundles as
    // a separate copy; the shapes are the same, the declarations are not.
    const client = createClient({ connection: connection as unknown as ClientConnection })
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
