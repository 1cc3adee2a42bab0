/**
 * @module
 * Dashboard sessions, kept server-side in ClickHouse (`dashboard_sessions`, schema version 5),
 * so every service process on one store shares them. The browser holds only a random id of 256
 * bits; storage holds its SHA-256, the project, the digest of the read key it was made with, and
 * when it was made, expires and ended.
 *
 * A session is live until it expires or is ended (sign-out, or its key revoked), and only while
 * its read key is live: the key is checked through the {@link KeyRing} on every use, so revoking
 * it ends its sessions within the key cache time. Lookups are cached for that same time, so a
 * page costs no query while its session was checked less than that long ago, and a sign-out in
 * another process takes effect here within it (at once in the process that signed out).
 */
import { createHash, randomBytes } from 'node:crypto'
import type { ClickHouseSettings } from '@clickhouse/client'
import { StorageUnavailable } from '../errors.js'
import type { KeyRing } from '../keys/key-ring.js'
import type { Storage } from '../storage/client.js'
import { withDeadline } from '../storage/deadline.js'
import { clickHouseTime } from '../storage/time.js'

/** How long a sign-in lasts. @default 30 days */
const SESSION_MAX_AGE_MS = 30 * 86_400_000

/** A session id: 32 random bytes, base64url. */
const ID = /^[A-Za-z0-9_-]{43}$/

/**
 * On a cluster the table is replicated in the background: a session counts once a majority of
 * replicas has it, and lookups see every such row, so a sign-in (or sign-out) written through
 * one node holds on the next page, whichever node that page's process talks to.
 */
const insertSettings = (storage: Storage): ClickHouseSettings =>
  storage.cluster ? { insert_quorum: 'auto' } : {}
const readSettings = (storage: Storage): ClickHouseSettings =>
  storage.cluster ? { select_sequential_consistency: '1' } : {}

const digest = (id: string): string => createHash('sha256').update(id).digest('hex')

interface Session {
  projectId: string
  keyHash: string
  createdAt: number
  expiresAt: number
  /** When storage was last asked about it. */
  checkedAt: number
  /** Version of the stored row: an ending must be written with a higher one. */
  version: number
}

export interface SessionStoreOptions {
  /** @default 30 days */
  maxAgeMs?: number
  /** Most sessions cached. @default 10000 */
  maxCached?: number
}

export class SessionStore {
  private readonly cache = new Map<string, Session>()
  private readonly loading = new Map<string, Promise<Session | undefined>>()
  readonly maxAgeMs: number
  private readonly maxCached: number

  constructor(
    private readonly storage: Storage,
    /** Checks each session's key, throttles failed lookups, and sets the cache time. */
    private readonly keys: KeyRing,
    options: SessionStoreOptions = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? SESSION_MAX_AGE_MS
    this.maxCached = options.maxCached ?? 10_000
  }

  /** Start a session for the read key whose digest is `keyHash`; returns the id for the browser. */
  async start(keyHash: string, projectId: string): Promise<string> {
    const id = randomBytes(32).toString('base64url')
    const now = Date.now()
    const session: Session = {
      projectId,
      keyHash,
      createdAt: now,
      expiresAt: now + this.maxAgeMs,
      checkedAt: now,
      version: now,
    }
    await this.write(digest(id), session, { endedAt: null, version: now })
    this.remember(digest(id), session)
    return id
  }

  /**
   * The project of session `id`, or undefined when it is unknown, ended, expired or its key was
   * revoked. With `from` (the client's address), a failed lookup counts against the address
   * like a wrong key, and an address over its budget gets a 429 before storage is asked.
   */
  async project(id: string, from?: string): Promise<string | undefined> {
    const hash = digest(id)
    const throttle = this.keys.throttle
    if (from === undefined || !throttle) return ID.test(id) ? this.check(hash) : undefined
    const settle = throttle.admit(from, hash)
    const projectId = ID.test(id) ? await this.check(hash) : undefined
    settle(projectId !== undefined)
    return projectId
  }

  /** End session `id` in every process: here at once, elsewhere within the cache time. */
  async end(id: string): Promise<void> {
    if (!ID.test(id)) return
    const hash = digest(id)
    const now = Date.now()
    // Written whole rather than copied from the stored row, so it needs nothing read back. The
    // expiry is never earlier than the live row's, so the ended row outlives it.
    const known = this.cache.get(hash)
    const ended: Session = known ?? {
      projectId: '',
      keyHash: '',
      createdAt: now,
      expiresAt: now + this.maxAgeMs,
      checkedAt: now,
      version: now,
    }
    this.cache.delete(hash)
    // Above the stored row's version even when this node's clock is behind the one that made it.
    const version = Math.max(now, ended.version) + 1
    await this.write(hash, ended, { endedAt: now, version })
    this.cache.delete(hash)
  }

  private async check(hash: string): Promise<string | undefined> {
    const session = await this.lookup(hash)
    if (!session || session.expiresAt <= Date.now()) return undefined
    const key = await this.keys.resolveHash(session.keyHash)
    if (key?.kind !== 'read' || key.projectId !== session.projectId) return undefined
    return session.projectId
  }

  /** The live session of `hash`, from the cache while it is fresh; one query at a time per session. */
  private lookup(hash: string): Promise<Session | undefined> | Session {
    const cached = this.cache.get(hash)
    if (cached && Date.now() - cached.checkedAt <= this.keys.ttlMs) return cached
    let loading = this.loading.get(hash)
    if (!loading) {
      loading = this.load(hash, cached).finally(() => this.loading.delete(hash))
      this.loading.set(hash, loading)
    }
    return loading
  }

  private async load(hash: string, cached: Session | undefined): Promise<Session | undefined> {
    let rows: {
      project_id: string
      key_hash: string
      created_at: string
      expires_at: string
      ended: number
      version: string
    }[]
    try {
      rows = await withDeadline(this.storage, 'the session lookup', async (signal) => {
        const result = await this.storage.client.query({
          query: `SELECT project_id, key_hash, toUnixTimestamp64Milli(created_at) AS created_at,
                         toUnixTimestamp64Milli(expires_at) AS expires_at,
                         ended_at IS NOT NULL AS ended, version
                  FROM ${this.storage.database}.dashboard_sessions FINAL
                  WHERE session_hash = {hash:String}`,
          query_params: { hash },
          format: 'JSONEachRow',
          clickhouse_settings: readSettings(this.storage),
          abort_signal: signal,
        })
        return result.json()
      })
    } catch (err) {
      if (!cached) {
        throw new StorageUnavailable('storage is unavailable', 1000, { cause: err })
      }
      // Like the keys: what was checked last keeps answering while storage is down.
      console.error(
        'lastseen-ingest: checking a dashboard session failed; using the last answer:',
        (err as Error).message,
      )
      cached.checkedAt = Date.now() - this.keys.ttlMs + 1000
      return cached
    }
    const row = rows[0]
    if (!row || Number(row.ended)) {
      this.cache.delete(hash)
      return undefined
    }
    const session: Session = {
      projectId: row.project_id,
      keyHash: row.key_hash,
      createdAt: Number(row.created_at),
      expiresAt: Number(row.expires_at),
      checkedAt: Date.now(),
      version: Number(row.version),
    }
    this.remember(hash, session)
    return session
  }

  private remember(hash: string, session: Session): void {
    this.cache.delete(hash)
    this.cache.set(hash, session)
    if (this.cache.size > this.maxCached) {
      const oldest = this.cache.keys().next().value
      if (oldest !== undefined) this.cache.delete(oldest)
    }
  }

  private async write(
    hash: string,
    session: Session,
    state: { endedAt: number | null; version: number },
  ): Promise<void> {
    await withDeadline(this.storage, 'the session write', (signal) =>
      this.storage.client.insert({
        abort_signal: signal,
        table: `${this.storage.database}.dashboard_sessions`,
        values: [
          {
            session_hash: hash,
            project_id: session.projectId,
            key_hash: session.keyHash,
            created_at: clickHouseTime(session.createdAt),
            expires_at: clickHouseTime(session.expiresAt),
            ended_at: state.endedAt === null ? null : clickHouseTime(state.endedAt),
            version: state.version,
          },
        ],
        format: 'JSONEachRow',
        clickhouse_settings: insertSettings(this.storage),
      }),
    )
  }
}

/** End every live session made with the key whose digest is `keyHash`. */
export async function endSessionsOfKey(storage: Storage, keyHash: string): Promise<void> {
  const table = `${storage.database}.dashboard_sessions`
  await storage.client.command({
    query: `INSERT INTO ${table}
              (session_hash, project_id, key_hash, created_at, expires_at, ended_at, version)
            SELECT session_hash, project_id, key_hash, created_at, expires_at, now64(3),
                   greatest(version + 1, {version:UInt64})
            FROM ${table} FINAL
            WHERE key_hash = {hash:String} AND ended_at IS NULL`,
    query_params: { hash: keyHash, version: Date.now() },
    clickhouse_settings: { ...insertSettings(storage), ...readSettings(storage) },
  })
}
