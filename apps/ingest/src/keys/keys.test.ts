import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { tempDataDir } from '../../test/helpers.js'
import { readConfig } from '../config.js'
import { Forbidden, RateLimited, StorageUnavailable, Unauthorized } from '../errors.js'
import { AuthThrottle } from '../http/auth-throttle.js'
import { openStorage, type Storage } from '../storage/client.js'
import { migrate } from '../storage/migrations.js'
import { createKeys, listKeys, revokeKey } from './admin.js'
import { KeyRing } from './key-ring.js'

let storage: Storage
beforeAll(async () => {
  storage = await openStorage(readConfig({ LASTSEEN_DATA_DIR: tempDataDir() }).clickhouse)
  await migrate(storage)
})
afterAll(async () => {
  await storage.close()
})

describe('KeyRing', () => {
  it('finds a key created after the last load, and stops accepting a revoked one', async () => {
    const ring = new KeyRing(storage, 0)
    const first = await createKeys(storage, 'p1', ['write'], 'first')
    expect(await ring.resolve(first.write!)).toEqual({ projectId: 'p1', kind: 'write' })

    // Unknown to the cache: waits for the fresh list instead of answering "unknown".
    const second = await createKeys(storage, 'p2', ['read'], 'second')
    expect(await ring.resolve(second.read!)).toEqual({ projectId: 'p2', kind: 'read' })

    await revokeKey(storage, first.write!)
    // A known key is answered from the cache while the list refreshes in the background…
    await ring.resolve(first.write!)
    // …and once that refresh has landed, the revoked key is refused.
    await ring.reload()
    expect(await ring.resolve(first.write!)).toBeUndefined()
    expect(await ring.resolve('lsw_never_issued_0123456789')).toBeUndefined()
  })

  it('counts wrong keys against the address they came from', async () => {
    const ring = new KeyRing(storage, 60_000, new AuthThrottle({ burst: 3, rate: 1 }))
    const { write } = await createKeys(storage, 'p3', ['write'], 'throttled')
    await ring.reload()
    // Successes, however many, take nothing from the address's budget.
    for (let i = 0; i < 10; i++) {
      expect(await ring.resolve(write!, '10.0.0.1')).toMatchObject({ projectId: 'p3' })
    }
    for (let i = 0; i < 3; i++)
      expect(await ring.resolve(`lsw_wrong_${i}`, '10.0.0.1')).toBe(undefined)
    await expect(ring.resolve('lsw_wrong_3', '10.0.0.1')).rejects.toBeInstanceOf(RateLimited)
    // The key that worked from there still does; elsewhere a wrong key is still looked at.
    expect(await ring.resolve(write!, '10.0.0.1')).toMatchObject({ projectId: 'p3' })
    expect(await ring.resolve('lsw_wrong_3', '10.0.0.2')).toBe(undefined)
  })
})

/** `storage` whose queries are counted, and fail while `down` is set. */
function flaky() {
  const state: { queries: number; down: boolean; held?: Promise<void> } = {
    queries: 0,
    down: false,
  }
  const client = new Proxy(storage.client, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver)
      if (name !== 'query' || typeof value !== 'function') return value
      return (...args: unknown[]) => {
        state.queries++
        if (state.down) return Promise.reject(new Error('connection refused'))
        const held = state.held
        return held ? held.then(() => value.apply(target, args)) : value.apply(target, args)
      }
    },
  })
  return { storage: { ...storage, client } as Storage, state }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The error `promise` is rejected with. */
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (err: unknown) => err,
  )

describe('KeyRing.authorize', () => {
  it('gives the project of a key of the needed kind, and says why it refuses another', async () => {
    const ring = new KeyRing(storage, 60_000)
    const { write, read } = await createKeys(storage, 'p5', ['write', 'read'], 'authorize')
    expect(await ring.authorize('write', write, '10.0.1.1')).toBe('p5')
    expect(await ring.authorize('read', read, '10.0.1.1')).toBe('p5')
    const refusals: [Promise<string>, unknown, string][] = [
      [
        ring.authorize('write', undefined, '10.0.1.1'),
        Unauthorized,
        'missing write key: send Authorization: Bearer <writeKey> or writeKey in the body',
      ],
      [ring.authorize('write', '', '10.0.1.1'), Unauthorized, expect.stringMatching(/^missing/)],
      [
        ring.authorize('read', undefined, '10.0.1.1'),
        Unauthorized,
        'missing read key (Authorization: Bearer lsr_…)',
      ],
      [
        ring.authorize('write', 'lsw_unknown', '10.0.1.1'),
        Unauthorized,
        'unknown or revoked write key',
      ],
      [
        ring.authorize('read', 'lsr_unknown', '10.0.1.1'),
        Unauthorized,
        'unknown or revoked read key',
      ],
      [
        ring.authorize('write', read, '10.0.1.1'),
        Forbidden,
        "a read key cannot write; use the project's write key",
      ],
      [
        ring.authorize('read', write, '10.0.1.1'),
        Forbidden,
        "a write key cannot read; use the project's read key",
      ],
    ]
    for (const [refused, kind, message] of refusals) {
      const err = await rejection(refused)
      expect(err).toBeInstanceOf(kind as typeof Error)
      expect(err).toMatchObject({ message })
    }
  })
})

describe('the key cache', () => {
  it('trusts a loaded list for ttlMs, then reloads it once for many requests', async () => {
    const { storage: s, state } = flaky()
    const { write } = await createKeys(storage, 'p6', ['write'], 'cache')
    const ring = new KeyRing(s, 300)
    expect(ring.ttlMs).toBe(300)
    // Many requests at once before any load: one reload.
    const first = await Promise.all([1, 2, 3].map(() => ring.resolve(write!)))
    expect(first).toEqual(Array(3).fill({ projectId: 'p6', kind: 'write' }))
    expect(state.queries).toBe(1)
    // Within ttlMs, even an unknown key is answered from the list.
    expect(await ring.resolve('lsw_unknown_in_ttl')).toBeUndefined()
    expect(state.queries).toBe(1)
    await sleep(350)
    await Promise.all([ring.resolve('lsw_a'), ring.resolve('lsw_b')])
    expect(state.queries).toBe(2)
    // A revoked key disappears with the reload after it.
    await revokeKey(storage, write!)
    await sleep(350)
    expect(await ring.resolve('lsw_c')).toBeUndefined()
    expect(await ring.resolve(write!)).toBeUndefined()
  })

  it('keeps answering from the last list while storage fails, trying again each second', async () => {
    const { storage: s, state } = flaky()
    const { write } = await createKeys(storage, 'p7', ['write'], 'outage')
    const ring = new KeyRing(s, 200)
    state.down = true
    // Nothing loaded yet: storage is unavailable, and the next request tries again.
    const err = await rejection(ring.resolve(write!))
    expect(err).toBeInstanceOf(StorageUnavailable)
    expect(err).toMatchObject({
      message: 'storage is unavailable',
      retryAfterMs: 1000,
      cause: expect.objectContaining({ message: 'connection refused' }),
    })
    await rejection(ring.resolve(write!))
    expect(state.queries).toBe(2)
    state.down = false
    expect(await ring.resolve(write!)).toEqual({ projectId: 'p7', kind: 'write' })

    state.down = true
    await sleep(250)
    const queries = state.queries
    // Old: the known key is answered at once; the unknown one waits for the failed reload.
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    expect(await ring.resolve(write!)).toEqual({ projectId: 'p7', kind: 'write' })
    expect(await ring.resolve('lsw_unknown_in_outage')).toBeUndefined()
    expect(state.queries).toBe(queries + 1)
    // The failed reload is tried again after a second, not on every request.
    await sleep(500)
    expect(await ring.resolve('lsw_unknown_in_outage')).toBeUndefined()
    expect(state.queries).toBe(queries + 1)
    await sleep(600)
    expect(await ring.resolve('lsw_unknown_in_outage')).toBeUndefined()
    expect(state.queries).toBe(queries + 2)
    expect(logged).toHaveBeenCalledWith(
      'lastseen-ingest: reloading keys failed; using the keys loaded last:',
      'connection refused',
    )
    logged.mockRestore()
  })

  it('answers a known key while a slow reload runs, and waits for it with an unknown one', async () => {
    const { storage: s, state } = flaky()
    const { write } = await createKeys(storage, 'p8', ['write'], 'slow')
    const ring = new KeyRing(s, 100)
    await ring.reload()
    await sleep(150)
    let release = () => {}
    state.held = new Promise<void>((resolve) => (release = resolve))
    expect(await ring.resolve(write!)).toEqual({ projectId: 'p8', kind: 'write' })
    let unknown: unknown = 'waiting'
    const asked = ring.resolve('lsw_unknown_slow').then((r) => (unknown = r))
    await sleep(50)
    expect(unknown).toBe('waiting')
    release()
    await asked
    expect(unknown).toBeUndefined()
  })

  it('counts no address when none is given', async () => {
    const ring = new KeyRing(storage, 60_000, new AuthThrottle({ burst: 1, rate: 1 }))
    for (let i = 0; i < 3; i++) expect(await ring.resolve(`lsw_wrong_${i}`)).toBeUndefined()
  })
})

describe('the part of a key kept in clear', () => {
  it('is lsw_ or lsr_ and 4 characters', async () => {
    const { write, read } = await createKeys(storage, 'p4', ['write', 'read'], 'prefix')
    const result = await storage.client.query({
      query: `SELECT kind, prefix FROM ${storage.database}.api_keys FINAL WHERE project_id = 'p4'`,
      format: 'JSONEachRow',
    })
    const rows = await result.json<{ kind: string; prefix: string }>()
    expect(rows.find((r) => r.kind === 'write')?.prefix).toBe(write!.slice(0, 8))
    expect(rows.find((r) => r.kind === 'read')?.prefix).toBe(read!.slice(0, 8))
    expect((await listKeys(storage, 'p4')).map((k) => k.prefix.length)).toEqual([8, 8])
    expect(write!.length).toBeGreaterThanOrEqual(4 + 32)
  })
})

describe('keys stored by earlier versions', () => {
  // Then: 16 characters after the prefix were enough, and 8 of them were stored in clear.
  const legacy = 'lsr_Old16charsKey123'

  it('still resolve, lose all but 4 characters in clear on upgrade, and can be revoked', async () => {
    await storage.client.insert({
      table: `${storage.database}.api_keys`,
      values: [
        {
          // As earlier versions stored it: the plain SHA-256 of the key, in hex.
          key_hash: createHash('sha256').update(legacy).digest('hex'),
          project_id: 'old',
          kind: 'read',
          prefix: legacy.slice(0, 12),
          name: 'from environment',
          version: 1,
        },
      ],
      format: 'JSONEachRow',
    })
    const stored = async () => {
      const result = await storage.client.query({
        query: `SELECT prefix FROM ${storage.database}.api_keys FINAL WHERE project_id = 'old'`,
        format: 'JSONEachRow',
      })
      return (await result.json<{ prefix: string }>()).map((r) => r.prefix)
    }
    expect(await stored()).toEqual(['lsr_Old16cha'])
    // Upgrading: migration 5 runs on a store that has such a key.
    await storage.client.command({
      query: `ALTER TABLE ${storage.database}.schema_migrations DELETE WHERE version = 5 SETTINGS mutations_sync = 1`,
    })
    expect(await migrate(storage)).toEqual([5])
    expect(await stored()).toEqual(['lsr_Old1'])
    expect(await migrate(storage)).toEqual([])

    expect(await new KeyRing(storage).resolve(legacy)).toEqual({ projectId: 'old', kind: 'read' })
    expect((await listKeys(storage, 'old')).map((k) => k.prefix)).toEqual(['lsr_Old1'])
    expect(await revokeKey(storage, 'lsr_Old1')).toMatchObject({ prefix: 'lsr_Old1' })
    expect(await new KeyRing(storage).resolve(legacy)).toBeUndefined()
  })
})
