import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDataDir } from '../test/helpers.js'
import { AuthThrottle } from './auth-throttle.js'
import { readConfig } from './env.js'
import { createKeys, KeyRing, listKeys, revokeKey } from './keys.js'
import { openStorage, type Storage } from './storage/client.js'
import { migrate } from './storage/migrations.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

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

  it('refuses a revoked key once its cache time has passed, with no reload by hand', async () => {
    const ttlMs = 300
    const ring = new KeyRing(storage, ttlMs)
    const { write } = await createKeys(storage, 'p5', ['write'], 'revoked while cached')
    expect(await ring.resolve(write!)).toEqual({ projectId: 'p5', kind: 'write' })
    const loaded = Date.now()
    await revokeKey(storage, write!)
    // Within the cache time the loaded list answers: still accepted.
    expect(await ring.resolve(write!)).toEqual({ projectId: 'p5', kind: 'write' })
    while ((await ring.resolve(write!)) !== undefined) {
      if (Date.now() - loaded > ttlMs + 2000) throw new Error('still accepted after 2.3 s')
      await sleep(20)
    }
    // Not before the cache time: the list is not read again on every lookup.
    expect(Date.now() - loaded).toBeGreaterThanOrEqual(ttlMs)
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
    await expect(ring.resolve('lsw_wrong_3', '10.0.0.1')).rejects.toMatchObject({ status: 429 })
    // The key that worked from there still does; elsewhere a wrong key is still looked at.
    expect(await ring.resolve(write!, '10.0.0.1')).toMatchObject({ projectId: 'p3' })
    expect(await ring.resolve('lsw_wrong_3', '10.0.0.2')).toBe(undefined)
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
