/**
 * @module
 * `lastseen-ingest keys list | create | revoke`: manage the keys of projects. Keys are printed
 * once, when created; only their SHA-256 is stored.
 */
import { parseArgs } from 'node:util'
import { UsageError } from '../cli/usage-error.js'
import type { Storage } from '../storage/client.js'
import { createKeys, listKeys, PROJECT_ID, revokeKey } from './admin.js'
import { KEY_KINDS, type KeyKind } from './hash.js'
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

These commands open the store themselves: the one in --data-dir <dir> (LASTSEEN_DATA_DIR), or
the server of CLICKHOUSE_URL. On the embedded store (no CLICKHOUSE_URL, the
default) it serves one process at a time: stop the service, run the command, start it again;
the new keys work, and the revoked ones are refused, from that start. With a ClickHouse server
(CLICKHOUSE_URL) run them any time: a running service takes new keys and refuses revoked
ones within ${KEY_CACHE_MS / 1000} seconds.

Write keys (lsw_…) are public and may ship in browser code; they can only add events to
their project. Read keys (lsr_…) are secret and can only read their project. Admin keys
(lsa_…) are secret and can only delete and export the data of their project's users
(DELETE /v1/users/<id>, GET /v1/users/<id>/export); they cannot read or write.`

// Where the commands of the CLI have always found it.
export { UsageError }

const pad = (text: string, width: number) => text.padEnd(width)

/** Run `keys …` with `args` (after the word `keys`); returns the exit code. */
export async function keysCommand(args: string[], open: () => Promise<Storage>): Promise<number> {
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
    return withStorage(open, async (storage) => {
      const keys = await createKeys(storage, project, kinds, values.name ?? '')
      if (keys.write) console.log(`write key (${project}): ${keys.write}`)
      if (keys.read) console.log(`read key  (${project}): ${keys.read}`)
      if (keys.admin) console.log(`admin key (${project}): ${keys.admin}`)
      console.log('keys are shown once; only their hashes are stored')
      return 0
    })
  }
  if (action === 'list') {
    return withStorage(open, async (storage) => {
      const keys = await listKeys(storage, values.project)
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
    return withStorage(open, async (storage) => {
      const key = await revokeKey(storage, target)
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

async function withStorage(
  open: () => Promise<Storage>,
  run: (storage: Storage) => Promise<number>,
): Promise<number> {
  const storage = await open()
  try {
    return await run(storage)
  } finally {
    await storage.close()
  }
}
