import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDataDir } from '../test/helpers.js'
import { AuthThrottle } from './auth-throttle.js'
import { readConfig } from './env.js'
import { createKeys, KeyRing, revokeKey } from './keys.js'
import { openStorage, type Storage } from './storage/client.js'
import { migrate } from './storage/migrations.js'

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
    await expect(ring.resolve('lsw_wrong_3', '10.0.0.1')).rejects.toMatchObject({ status: 429 })
    // The key that worked from there still does; elsewhere a wrong key is still looked at.
    expect(await ring.resolve(write!, '10.0.0.1')).toMatchObject({ projectId: 'p3' })
    expect(await ring.resolve('lsw_wrong_3', '10.0.0.2')).toBe(undefined)
  })
})
