/**
 * @module
 * `lastseen-ingest keys list | create | revoke`: manage the keys of projects. Keys are printed
 * once, when created; only their SHA-256 is stored.
 */
import { parseArgs } from 'node:util'
import { UsageError } from '../cli/usage-error.js'
import { PROJECT_ID } from './admin.js'
import { KEY_KINDS, type KeyKind } from './hash.js'
import type { KeyAdmin } from './key-control.js'
import { KEY_CACHE_MS } from './key-ring.js'

export const KEYS_HELP = `lastseen-ingest keys — manage API keys

Usage:
  lastseen-ingest keys list [--project <id>]
      every key: prefix, project, kind, name, created, revoked
  lastseen-ingest keys create <project> [--kind write|read|admin] [--name <text>]
      create the project if it is new, and a write and a read key for it (or only the key
      of --kind; admin keys are made only when asked for); the keys are printed once
  lastseen-ingest keys revoke <key-or-prefix>
      revoke a key, given in full or by the prefix that "keys list" shows

Run them any time, also while the service runs. On the embedded store (no CLICKHOUSE_URL,
the default; --data-dir <dir> or LASTSEEN_DATA_DIR) a running service holds the store, so the
command goes through the service itself (the socket control.sock in the data directory, for
the user the service runs as): new keys work, and revoked ones are refused, at once. When no
service runs, the command opens the store. With a ClickHouse server (CLICKHOUSE_URL) the command
writes to it, and running services take new keys and refuse revoked ones within
${KEY_CACHE_MS / 1000} seconds.

Write keys (lsw_…) are public and may ship in browser code; they can only add events to
their project. Read keys (lsr_…) are secret and can only read their project. Admin keys
(lsa_…) are secret and can only delete and export the data of their project's users
(DELETE /v1/users/<id>, GET /v1/users/<id>/export); they cannot read or write.`

// Where the commands of the CLI have always found it.
export { UsageError }

const pad = (text: string, width: number) => text.padEnd(width)

/** Key administration for one command, and how to let go of it. */
export interface OpenedKeyAdmin {
  admin: KeyAdmin
  close(): Promise<void>
}

/** Run `keys …` with `args` (after the word `keys`); returns the exit code. */
export async function keysCommand(
  args: string[],
  open: () => Promise<OpenedKeyAdmin>,
): Promise<number> {
  const [action, ...rest] = args
  if (!action || action === '--help' || action === '-h' || action === 'help') {
    console.log(KEYS_HELP)
    return 0
  }
  const { values, positionals } = parseOptions(rest)
  if (action === 'create') {
    const project = positionals[0]
    if (!project || !PROJECT_ID.test(project)) {
      throw new UsageError(
        'keys create needs a project id: lower-case letters, digits, - and _, up to 63 characters',
      )
    }
    const kind = values.kind
    if (kind !== undefined && !KEY_KINDS.includes(kind as KeyKind)) {
      throw new UsageError('--kind is write, read or admin')
    }
    const kinds: KeyKind[] = kind ? [kind as KeyKind] : ['write', 'read']
    return withAdmin(open, async (admin) => {
      const keys = await admin.create(project, kinds, values.name ?? '')
      if (keys.write) console.log(`write key (${project}): ${keys.write}`)
      if (keys.read) console.log(`read key  (${project}): ${keys.read}`)
      if (keys.admin) console.log(`admin key (${project}): ${keys.admin}`)
      console.log('keys are shown once; only their hashes are stored')
      return 0
    })
  }
  if (action === 'list') {
    return withAdmin(open, async (admin) => {
      const keys = await admin.list(values.project)
      console.log(
        [
          pad('PREFIX', 14),
          pad('PROJECT', 20),
          pad('KIND', 6),
          pad('CREATED', 24),
          'REVOKED',
          'NAME',
        ]
          .join(' ')
          .trimEnd(),
      )
      for (const k of keys) {
        console.log(
          [
            pad(k.prefix, 14),
            pad(k.projectId, 20),
            pad(k.kind, 6),
            pad(k.createdAt, 24),
            pad(k.revokedAt ?? '-', 24),
            k.name,
          ].join(' '),
        )
      }
      return 0
    })
  }
  if (action === 'revoke') {
    const target = positionals[0]
    if (!target) throw new UsageError('keys revoke needs a key or the prefix "keys list" shows')
    return withAdmin(open, async (admin) => {
      const key = await admin.revoke(target)
      console.log(`revoked ${key.kind} key ${key.prefix}… of project ${key.projectId}`)
      return 0
    })
  }
  throw new UsageError(`unknown keys command: ${action}`)
}

function parseOptions(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        project: { type: 'string' },
        kind: { type: 'string' },
        name: { type: 'string' },
      },
    })
  } catch (err) {
    // parseArgs explains at length how to pass a value that starts with '-': one line is enough.
    const message = (err as Error).message.split('. ')[0] ?? ''
    throw new UsageError(`keys: ${message.replace(/^Unknown option/, 'unknown option')}`)
  }
}

async function withAdmin(
  open: () => Promise<OpenedKeyAdmin>,
  run: (admin: KeyAdmin) => Promise<number>,
): Promise<number> {
  const opened = await open()
  try {
    return await run(opened.admin)
  } finally {
    await opened.close()
  }
}
