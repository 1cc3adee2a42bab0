#!/usr/bin/env node
/**
 * @module
 * `lastseen-ingest`: the command line of the ingestion service.
 */
import { ConfigError, readConfig } from './env.js'
import { startServer } from './server.js'
import { openStorage } from './storage/client.js'
import { migrate } from './storage/migrations.js'

const HELP = `lastseen-ingest — the lastseen ingestion service

Usage:
  lastseen-ingest start     start the service (applies migrations first)
  lastseen-ingest migrate   apply schema migrations and exit
  lastseen-ingest --help    show this help

Configuration comes from the environment: PORT (3000), LASTSEEN_DATA_DIR (./.lastseen),
CLICKHOUSE_URL (unset: embedded ClickHouse), CLICKHOUSE_DATABASE, CLICKHOUSE_USER,
CLICKHOUSE_PASSWORD, CLICKHOUSE_CLUSTER, LASTSEEN_WRITE_KEY, LASTSEEN_READ_KEY.
See docs/self-hosting.md.`

async function main(argv: string[]): Promise<number> {
  const [command = 'start'] = argv
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP)
    return 0
  }
  const config = readConfig()
  if (command === 'migrate') {
    const storage = await openStorage(config.clickhouse)
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
  if (command === 'start') {
    const server = await startServer(config)
    console.log(`storage: ${server.storage.location}`)
    const { writeKey, readKey } = server.generatedKeys
    if (writeKey) console.log(`write key (default project): ${writeKey}`)
    if (readKey) console.log(`read key  (default project): ${readKey}`)
    if (writeKey || readKey) console.log('keys are shown once; only their hashes are stored')
    console.log(`lastseen ingest listening on ${server.url}`)
    const stop = async () => {
      await server.close()
      process.exit(0)
    }
    process.once('SIGTERM', stop)
    process.once('SIGINT', stop)
    return -1
  }
  console.error(`unknown command: ${command}\n\n${HELP}`)
  return 2
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code)
  },
  (err: unknown) => {
    if (err instanceof ConfigError) console.error(err.message)
    else console.error('lastseen-ingest failed:', err)
    process.exit(1)
  },
)
