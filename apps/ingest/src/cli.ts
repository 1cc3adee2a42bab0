#!/usr/bin/env node
/**
 * @module
 * `lastseen-ingest`: the command line of the ingestion service. Each command takes the shared
 * flags it needs (a flag wins over the environment) and `--help`; a mistake ends in one line
 * and exit code 1 (`cli/explain.ts`).
 */
import { readFileSync } from 'node:fs'
import { debugDetails, explain } from './cli/explain.js'
import { HELP, MIGRATE_HELP, START_HELP } from './cli/help.js'
import { IMPORT_HELP, importCommand } from './cli/import-command.js'
import {
  type CommandLine,
  type ConfigOption,
  parseCommandLine,
  refuseFlags,
  refuseRest,
} from './cli/parse.js'
import { UsageError } from './cli/usage-error.js'
import { type Config, debugEnabled, readConfig } from './config.js'
import type { GeneratedKeys } from './keys/admin.js'
import { socketKeyAdmin, storageKeyAdmin } from './keys/key-control.js'
import { KEYS_HELP, keysCommand, type OpenedKeyAdmin } from './keys/keys-command.js'
import { USERS_HELP, usersCommand } from './rights/users-command.js'
import { startServer } from './server.js'
import { openStorage } from './storage/client.js'
import { migrate } from './storage/migrations.js'

/** A command: its help, the shared flags it takes, and what it does (returns the exit code; -1: keep running). */
interface Command {
  help: string
  flags: readonly ConfigOption[]
  run(line: CommandLine, config: () => Config): Promise<number>
}

const openMigrated = async (config: Config) => {
  const storage = await openStorage(config.clickhouse)
  try {
    await migrate(storage)
  } catch (err) {
    await storage.close()
    throw err
  }
  return storage
}

/** Key administration: through the running service on the embedded store, else on the store. */
async function openKeyAdmin(config: Config): Promise<OpenedKeyAdmin> {
  if (config.clickhouse.kind === 'embedded') {
    const running = await socketKeyAdmin(config.clickhouse.dataDir)
    if (running) return { admin: running, close: async () => {} }
  }
  const storage = await openMigrated(config)
  return { admin: storageKeyAdmin(storage), close: () => storage.close() }
}

const COMMANDS: Record<string, Command> = {
  start: {
    help: START_HELP,
    flags: ['port', 'host', 'dataDir'],
    run: (line, config) => {
      refuseRest(line)
      return start(config())
    },
  },
  migrate: {
    help: MIGRATE_HELP,
    flags: ['dataDir'],
    async run(line, config) {
      refuseRest(line)
      const storage = await openStorage(config().clickhouse)
      try {
        const applied = await migrate(storage)
        console.log(
          applied.length ? `applied migrations ${applied.join(', ')}` : 'schema is up to date',
        )
      } finally {
        await storage.close()
      }
      return 0
    },
  },
  keys: {
    help: KEYS_HELP,
    flags: ['dataDir'],
    run: (line, config) => keysCommand(line.rest, () => openKeyAdmin(config())),
  },
  import: {
    help: IMPORT_HELP,
    flags: ['dataDir'],
    run: (line, config) => importCommand(line.rest, config),
  },
  users: {
    help: USERS_HELP,
    flags: ['dataDir'],
    run: (line, config) => usersCommand(line.rest, () => openMigrated(config())),
  },
}

function printKeys({ writeKey, readKey }: GeneratedKeys) {
  if (writeKey) console.log(`write key (default project): ${writeKey}`)
  if (readKey) console.log(`read key  (default project): ${readKey}`)
  console.log('keys are shown once; only their hashes are stored')
}

async function start(config: Config): Promise<number> {
  // The keys are printed as soon as they exist: should the start fail later (a port in use),
  // they are not lost.
  const server = await startServer(config, { onGeneratedKeys: printKeys })
  console.log(`storage: ${server.storage.location}`)
  const host = config.host
  const scope =
    host === '0.0.0.0' || host === '::'
      ? 'all interfaces'
      : host === '127.0.0.1' || host === '::1' || host === 'localhost'
        ? 'this machine only'
        : `the interface of ${host}`
  console.log(`lastseen ingest listening on ${server.address} (${scope})`)
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

const version = () =>
  (
    JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string
    }
  ).version

async function main(line: CommandLine): Promise<number> {
  if (line.version) {
    console.log(version())
    return 0
  }
  if (line.command === undefined && line.help) {
    console.log(HELP)
    return 0
  }
  const name = line.command ?? 'start'
  if (name === 'help') {
    console.log(line.rest[0] && COMMANDS[line.rest[0]] ? COMMANDS[line.rest[0]]?.help : HELP)
    return 0
  }
  const command = COMMANDS[name]
  if (!command) throw new UsageError(`unknown command: ${name}`)
  if (line.help) {
    console.log(command.help)
    return 0
  }
  refuseFlags({ ...line, command: name }, command.flags)
  return command.run({ ...line, command: name }, () => readConfig(process.env, line.flags))
}

let line: CommandLine | undefined
Promise.resolve()
  .then(() => {
    line = parseCommandLine(process.argv.slice(2))
    return main(line)
  })
  .then(
    (code) => {
      if (code >= 0) process.exit(code)
    },
    (err: unknown) => {
      const command = line?.command && COMMANDS[line.command] ? line.command : undefined
      console.error(explain(err, command))
      if (debugEnabled()) console.error(debugDetails(err))
      process.exit(1)
    },
  )
