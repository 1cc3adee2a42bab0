/**
 * @module
 * `lastseen-ingest import <file.ndjson> [--project <id>]`: backfill from NDJSON through
 * `ingest/import-file.ts`, straight into the store.
 */
import { parseArgs } from 'node:util'
import type { Config } from '../config.js'
import { importFile } from '../ingest/import-file.js'
import { openStorage, StorageOpenError } from '../storage/client.js'
import { migrate } from '../storage/migrations.js'
import { UsageError } from './usage-error.js'

export const IMPORT_HELP = `lastseen-ingest import — backfill from NDJSON

Usage:
  lastseen-ingest import <file.ndjson> [--project <id>] [--data-dir <dir>]

Stores users, accounts, traits and first/last seen from each line of the file, in the project
--project (default: "default"); running it again stores nothing twice. It writes to the store
directly: on the embedded store, stop the service first. Exit code 1 when a line was rejected
(each is reported). The line format: https://github.com/lastseen/lastseen/blob/main/docs/self-hosting.md`

/** Run `import` with `args` (after the word `import`): 0 when every line was stored or already there, else 1. */
export async function importCommand(args: string[], config: () => Config): Promise<number> {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(args)
  } catch (err) {
    const message = (err as Error).message.split('. ')[0] ?? ''
    throw new UsageError(`import: ${message.replace(/^Unknown option/, 'unknown option')}`)
  }
  const { values, positionals } = parsed
  const projectId = values.project ?? 'default'
  if (!projectId || positionals.length !== 1) {
    throw new UsageError(
      'import needs one file: lastseen-ingest import <file.ndjson> [--project <id>]',
    )
  }
  const settings = config()
  const storage = await openStorage(settings.clickhouse).catch((err: unknown) => {
    if (err instanceof StorageOpenError) {
      throw new StorageOpenError(
        `import: ${err.message}; the import writes to the store directly: stop the service, import, then start it again`,
        { cause: err },
      )
    }
    throw err
  })
  try {
    await migrate(storage)
    const report = await importFile(positionals[0] as string, {
      storage,
      projectId,
      maxEventAgeMs: settings.maxEventAgeMs,
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

const parse = (args: string[]) =>
  parseArgs({ args, allowPositionals: true, options: { project: { type: 'string' } } })
