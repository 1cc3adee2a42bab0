/**
 * @module
 * The key ring: resolves a request's key to its project from a cache of every live key (by
 * SHA-256), refreshed from storage in the background, and throttles failed attempts.
 */
import { Forbidden, StorageUnavailable, Unauthorized } from '../errors.js'
import type { AuthThrottle } from '../http/auth-throttle.js'
import type { Storage } from '../storage/client.js'
import { withDeadline } from '../storage/deadline.js'
import { hashKey, type KeyKind } from './hash.js'

/** A key the service knows, as resolved from a request. */
export interface ResolvedKey {
  projectId: string
  kind: KeyKind
}

/** How long a loaded key list is trusted: a revoked key stops working within this time. */
export const KEY_CACHE_MS = 10_000

/** Why a key is refused, by the kind of key the request needed. */
const REFUSED: Record<KeyKind, { missing: string; unknown: string }> = {
  write: {
    missing: 'missing write key: send Authorization: Bearer <writeKey> or writeKey in the body',
    unknown: 'unknown or revoked write key',
  },
  read: {
    missing: 'missing read key (Authorization: Bearer lsr_…)',
    unknown: 'unknown or revoked read key',
  },
  admin: {
    missing: 'missing admin key (Authorization: Bearer lsa_…)',
    unknown: 'unknown or revoked admin key',
  },
}

/** Why a key of kind `given` is refused where a `needed` key is. */
function otherKind(needed: KeyKind, given: KeyKind): string {
  if (needed === 'write') return `a ${given} key cannot write; use the project's write key`
  if (needed === 'read') return `a ${given} key cannot read; use the project's read key`
  return (
    `a ${given} key cannot delete or export user data; use an admin key ` +
    '(lastseen-ingest keys create <project> --kind admin)'
  )
}

interface KeyRow {
  key_hash: string
  project_id: string
  kind: KeyKind
  revoked_at: string | null
}

/**
 * Resolves request keys to projects, from a cache refreshed from storage. Given the client's
 * address, it also throttles failed attempts through its {@link AuthThrottle}.
 */
export class KeyRing {
  private keys = new Map<string, ResolvedKey>()
  private loadedAt = 0
  private reloading: Promise<void> | undefined

  constructor(
    private readonly storage: Storage,
    /** How long a loaded key list is trusted; a revoked key stops working within this time and the reload that follows. */
    readonly ttlMs = KEY_CACHE_MS,
    /** Throttles failed attempts per client address; none when omitted. */
    readonly throttle?: AuthThrottle,
  ) {}

  /** Reload every live key from storage. */
  async reload(): Promise<void> {
    const rows = await withDeadline(this.storage, 'the key reload', async (signal) => {
      const result = await this.storage.client.query({
        query: `SELECT key_hash, project_id, kind, revoked_at FROM ${this.storage.database}.api_keys FINAL`,
        format: 'JSONEachRow',
        abort_signal: signal,
      })
      return result.json<KeyRow>()
    })
    const next = new Map<string, ResolvedKey>()
    for (const row of rows) {
      if (row.revoked_at === null)
        next.set(row.key_hash, { projectId: row.project_id, kind: row.kind })
    }
    this.keys = next
    this.loadedAt = Date.now()
  }

  /**
   * The project and kind of `key`, or undefined when it is unknown or revoked. With `from` (the
   * client's address), a wrong key counts against that address, and an address over its budget
   * gets the throttle's 429 before the key is looked at.
   */
  async resolve(key: string, from?: string): Promise<ResolvedKey | undefined> {
    const hash = hashKey(key)
    if (from === undefined || !this.throttle) return this.resolveHash(hash)
    const settle = this.throttle.admit(from, hash)
    const resolved = await this.resolveHash(hash)
    settle(resolved !== undefined)
    return resolved
  }

  /**
   * The project a `kind` key (write, read or admin) acts for: `Unauthorized` when it is missing,
   * unknown or revoked, `Forbidden` when it is of another kind, `RateLimited` when `from` (the client's
   * address) has failed too often.
   */
  async authorize(kind: KeyKind, key: string | undefined, from: string): Promise<string> {
    const refused = REFUSED[kind]
    if (!key) throw new Unauthorized(refused.missing)
    const resolved = await this.resolve(key, from)
    if (!resolved) throw new Unauthorized(refused.unknown)
    if (resolved.kind !== kind) throw new Forbidden(otherKind(kind, resolved.kind))
    return resolved.projectId
  }

  /**
   * The project and kind of the key whose SHA-256 is `hash` (see {@link resolve}). While
   * storage cannot be read, the keys loaded last keep answering (retried every second); before
   * any were loaded, `StorageUnavailable`.
   */
  async resolveHash(hash: string): Promise<ResolvedKey | undefined> {
    if (Date.now() - this.loadedAt > this.ttlMs) {
      const reload = this.startReload()
      // A key the cache knows is answered from it while the list refreshes in the background,
      // so requests never queue behind the reload; a key it does not know (perhaps created a
      // moment ago) waits for the fresh list, as does every key before the first load.
      if (!this.keys.has(hash)) await reload
    }
    // Looked up by SHA-256 digest: a caller cannot steer the digest, so the lookup's timing
    // tells nothing about stored keys.
    return this.keys.get(hash)
  }

  /** One reload at a time, however many requests find the cache old. */
  private startReload(): Promise<void> {
    this.reloading ??= this.reload()
      .catch((err: unknown) => {
        if (this.loadedAt === 0) {
          throw new StorageUnavailable('storage is unavailable', 1000, { cause: err })
        }
        console.error(
          'lastseen-ingest: reloading keys failed; using the keys loaded last:',
          (err as Error).message,
        )
        this.loadedAt = Date.now() - this.ttlMs + 1000
      })
      .finally(() => {
        this.reloading = undefined
      })
    return this.reloading
  }
}
