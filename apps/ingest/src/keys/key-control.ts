/**
 * @module
 * Key administration while the service runs on the embedded store. The store serves one process
 * at a time, so `lastseen-ingest keys …` cannot open it next to a running service; instead the
 * service answers those commands on a Unix socket in its data directory (`control.sock`, mode
 * 0600: only the user the service runs as can connect, as only that user can read the store).
 * A key created or revoked there takes effect at once: the service reloads its key ring.
 */
import { chmodSync, existsSync, rmSync } from 'node:fs'
import { createServer, request } from 'node:http'
import { join } from 'node:path'
import type { Storage } from '../storage/client.js'
import { createKeys, KeyError, type KeyInfo, listKeys, revokeKey } from './admin.js'
import type { KeyKind } from './hash.js'

/** What `lastseen-ingest keys` does, against the store or through a running service. */
export interface KeyAdmin {
  list(projectId?: string): Promise<KeyInfo[]>
  create(
    projectId: string,
    kinds: readonly KeyKind[],
    name: string,
  ): Promise<Record<KeyKind, string | undefined>>
  revoke(keyOrPrefix: string): Promise<KeyInfo>
}

/** Where a service on the embedded store in `dataDir` listens for key commands. */
export const controlSocketPath = (dataDir: string) => join(dataDir, 'control.sock')

/** The longest Unix socket path most systems take (108 bytes on Linux, 104 on macOS). */
const MAX_SOCKET_PATH = 103

/** Largest command body, in bytes: a command is a few short strings. */
const MAX_COMMAND_BYTES = 4096

/** Key administration on `storage`; `changed` runs after a key was created or revoked. */
export function storageKeyAdmin(storage: Storage, changed = async () => {}): KeyAdmin {
  return {
    list: (projectId) => listKeys(storage, projectId),
    async create(projectId, kinds, name) {
      const keys = await createKeys(storage, projectId, kinds, name)
      await changed()
      return keys
    },
    async revoke(keyOrPrefix) {
      const key = await revokeKey(storage, keyOrPrefix)
      await changed()
      return key
    },
  }
}

/** A command on the socket: the method of {@link KeyAdmin} and its arguments. */
type Command =
  | { op: 'ping' }
  | { op: 'list'; projectId?: string }
  | { op: 'create'; projectId: string; kinds: KeyKind[]; name: string }
  | { op: 'revoke'; keyOrPrefix: string }

function run(admin: KeyAdmin, c: Command): Promise<unknown> {
  if (c.op === 'ping') return Promise.resolve(true)
  if (c.op === 'list') return admin.list(c.projectId)
  if (c.op === 'create') return admin.create(c.projectId, c.kinds, c.name)
  return admin.revoke(c.keyOrPrefix)
}

/**
 * Answer key commands for `admin` on the socket at `path` until closed; undefined (with the
 * reason) when the path is too long for a socket. A socket left by a crashed service is
 * replaced: only one process can hold the store, and this one does.
 */
export async function serveKeyControl(
  path: string,
  admin: KeyAdmin,
): Promise<{ close(): Promise<void> } | { unavailable: string }> {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
    return { unavailable: `the data directory's path is too long for a Unix socket (${path})` }
  }
  rmSync(path, { force: true })
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_COMMAND_BYTES) req.destroy()
      else chunks.push(chunk)
    })
    req.on('end', () => {
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(body))
      }
      let command: Command
      try {
        command = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Command
      } catch {
        answer(400, { error: 'not a JSON command' })
        return
      }
      run(admin, command).then(
        (result) => answer(200, { result }),
        (err: Error) =>
          answer(err instanceof KeyError ? 400 : 500, {
            error: err.message,
            keyError: err instanceof KeyError,
          }),
      )
    })
  })
  // Created with no access for others: a command creates keys that read every event.
  const umask = process.umask(0o177)
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(path, () => resolve())
    })
  } finally {
    process.umask(umask)
  }
  chmodSync(path, 0o600)
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
        rmSync(path, { force: true })
      }),
  }
}

/** Send `command` to the service listening on `path`. */
function send<T>(path: string, command: Command): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const req = request({ socketPath: path, method: 'POST', path: '/' }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            result?: T
            error?: string
            keyError?: boolean
          }
          if (body.error !== undefined) {
            reject(body.keyError ? new KeyError(body.error) : new Error(body.error))
          } else resolve(body.result as T)
        } catch (err) {
          reject(err)
        }
      })
    })
    req.on('error', reject)
    req.end(JSON.stringify(command))
  })
}

/**
 * Key administration through the service running on the store in `dataDir`, or undefined when
 * no service answers there.
 */
export async function socketKeyAdmin(dataDir: string): Promise<KeyAdmin | undefined> {
  const path = controlSocketPath(dataDir)
  if (!existsSync(path)) return undefined
  const admin: KeyAdmin = {
    list: (projectId) => send(path, { op: 'list', ...(projectId ? { projectId } : {}) }),
    create: (projectId, kinds, name) =>
      send(path, { op: 'create', projectId, kinds: [...kinds], name }),
    revoke: (keyOrPrefix) => send(path, { op: 'revoke', keyOrPrefix }),
  }
  try {
    await send(path, { op: 'ping' })
    return admin
  } catch {
    // A socket file left by a service that is gone.
    return undefined
  }
}
