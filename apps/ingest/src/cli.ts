#!/usr/bin/env node
/**
 * @module
 * `lastseen-ingest`: the command line of the ingestion service.
 */
import { ConfigError, DEFAULTS, formatDuration, readConfig } from './config.js'
import { NotFound } from './errors.js'
import { importFile } from './ingest/import-file.js'
import { KeyError } from './keys/admin.js'
import { KEYS_HELP, keysCommand, UsageError } from './keys/keys-command.js'
import { USERS_HELP, usersCommand } from './rights/users-command.js'
import { startServer } from './server.js'
import { openStorage, StorageOpenError } from './storage/client.js'
import { migrate } from './storage/migrations.js'

const HELP = `lastseen-ingest — the lastseen ingestion service

Usage:
  lastseen-ingest start       start the service (applies migrations first); SIGTERM or
                              SIGINT stop it gracefully
  lastseen-ingest migrate     apply schema migrations and exit
  lastseen-ingest keys …      list, create and revoke API keys (lastseen-ingest keys --help)
  lastseen-ingest users …     delete or export a user's data (lastseen-ingest users --help)
  lastseen-ingest import <file.ndjson> [--project <id>]
                              backfill users, accounts, traits and first/last seen from
                              NDJSON (see docs/self-hosting.md); running it again stores
                              nothing twice. With the embedded store, stop the service first
  lastseen-ingest --help      show this help

Configuration comes from the environment: PORT (${DEFAULTS.port}), LASTSEEN_DATA_DIR (${DEFAULTS.dataDir}),
CLICKHOUSE_URL (unset: embedded ClickHouse), CLICKHOUSE_DATABASE, CLICKHOUSE_USER,
CLICKHOUSE_PASSWORD, CLICKHOUSE_CLUSTER, LASTSEEN_WRITE_KEY, LASTSEEN_READ_KEY, and more.
See docs/self-hosting.md.

Inactivity webhooks: LASTSEEN_WEBHOOK_URL, LASTSEEN_WEBHOOK_SECRET, LASTSEEN_INACTIVE_AFTER
(${formatDuration(DEFAULTS.inactiveAfterMs)}), LASTSEEN_WEBHOOK_INTERVAL (${formatDuration(DEFAULTS.webhookIntervalMs)}), LASTSEEN_WEBHOOK_FORMAT (lastseen or slack).
See docs/insights.md. The dashboard is at / (sign in with the read key).`

async function start(): Promise<number> {
  const server = await startServer(readConfig())
  console.log(`storage: ${server.storage.location}`)
  const { writeKey, readKey } = server.generatedKeys
  if (writeKey) console.log(`write key (default project): ${writeKey}`)
  if (readKey) console.log(`read key  (default project): ${readKey}`)
  if (writeKey || readKey) console.log('keys are shown once; only their hashes are stored')
  console.log(`lastseen ingest listening on ${server.url}`)
  const stop = async (signal: string) => {
    console.log(`${signal}: no new requests; finishing the ones in flight`)
    await server.close()
    console.log('stopped')
    process.exit(0)
  }
  process.once('SIGTERM', () => void stop('SIGTERM'))
  process.once('SIGINT', () => void stop('SIGINT'))
  return -1
}

/** `import <file> [--project <id>]`: 0 when every line was stored or already there, else 1. */
async function importCommand(args: string[]): Promise<number> {
  const at = args.indexOf('--project')
  const projectId = at >= 0 ? args[at + 1] : 'default'
  const files = args.filter((_, i) => at < 0 || (i !== at && i !== at + 1))
  if (!projectId || files.length !== 1) {
    throw new UsageError('usage: lastseen-ingest import <file.ndjson> [--project <id>]')
  }
  const config = readConfig()
  const storage = await openStorage(config.clickhouse).catch((err: unknown) => {
    if (err instanceof StorageOpenError) {
      throw new StorageOpenError(
        `import: ${err.message} The import writes to the store directly: stop the service, import, then start it again.`,
      )
    }
    throw err
  })
  try {
    await migrate(storage)
    const report = await importFile(files[0] as string, {
      storage,
      projectId,
      maxEventAgeMs: config.maxEventAgeMs,
      log: (line) => console.error(line),
    })
    console.error(
      `import done: ${report.lines} lines, ${report.stored} stored, ${report.duplicates} duplicates, ${report.rejected.length} rejected (${report.events.stored} events stored, ${report.events.duplicates} already stored)`,
    )
    return report.rejected.length ? 1 : 0
  } finally {
    await storage.close()
  }
}

async function main(argv: string[]): Promise<number> {
  const [command = 'start', ...rest] = argv
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP)
    return 0
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    if (command === 'keys') console.log(KEYS_HELP)
    else if (command === 'users') console.log(USERS_HELP)
    else console.log(HELP)
    return 0
  }
  if (command === 'start') return start()
  if (command === 'migrate') {
    const storage = await openStorage(readConfig().clickhouse)
    try {
      const applied = await migrate(storage)
      console.log(
        applied.length ? `applied migrations ${applied.join(', ')}` : 'schema is up to date',
      )
    } finally {
      await storage.close()
    }
    return 0
  }
  if (command === 'import') return importCommand(rest)
  if (command === 'keys') {
    const config = readConfig()
    return keysCommand(rest, async () => {
      const storage = await openStorage(config.clickhouse)
      await migrate(storage)
      return storage
    })
  }
  if (command === 'users') {
    const config = readConfig()
    return usersCommand(rest, async () => {
      const storage = await openStorage(config.clickhouse)
      await migrate(storage)
      return storage
    })
  }
  throw new UsageError(`unknown command: ${command}`)
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code)
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      const command = process.argv[2]
      const help = command === 'keys' ? KEYS_HELP : command === 'users' ? USERS_HELP : HELP
      console.error(`${err.message}\n\n${help}`)
      process.exit(2)
    }
    if (
      err instanceof ConfigError ||
      err instanceof StorageOpenError ||
      err instanceof KeyError ||
      err instanceof NotFound
    ) {
      console.error(err.message)
    } else console.error('lastseen-ingest failed:', err)
    process.exit(1)
  },
)
