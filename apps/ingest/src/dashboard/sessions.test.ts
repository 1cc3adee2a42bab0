import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDataDir } from '../../test/helpers.js'
import { readConfig } from '../config.js'
import { createKeys, revokeKey } from '../keys/admin.js'
import { hashKey } from '../keys/hash.js'
import { KeyRing } from '../keys/key-ring.js'
import { openStorage, type Storage } from '../storage/client.js'
import { migrate } from '../storage/migrations.js'
import { SessionStore } from './sessions.js'

let storage: Storage
let readKey: string
beforeAll(async () => {
  storage = await openStorage(readConfig({ LASTSEEN_DATA_DIR: tempDataDir() }).clickhouse)
  await migrate(storage)
  readKey = (await createKeys(storage, 'p', ['read'], 'sessions')).read as string
})
afterAll(async () => {
  await storage.close()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** `storage`, counting the queries made through it. */
function counted() {
  const counter = { queries: 0 }
  const client = new Proxy(storage.client, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver)
      if (name !== 'query' || typeof value !== 'function') return value
      return (...args: unknown[]) => {
        counter.queries++
        return value.apply(target, args)
      }
    },
  })
  return { storage: { ...storage, client } as Storage, counter }
}

/** Two service processes on one store: each its own key cache (of `ttlMs`) and session cache. */
async function processes(ttlMs: number) {
  const make = async () => {
    const { storage: s, counter } = counted()
    const keys = new KeyRing(s, ttlMs)
    await keys.reload()
    return { sessions: new SessionStore(s, keys), counter }
  }
  return [await make(), await make()] as const
}

describe('SessionStore', () => {
  it('answers pages from its cache, and shares sessions between processes', async () => {
    const [a, b] = await processes(60_000)
    const id = await a.sessions.start(hashKey(readKey), 'p')
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const before = a.counter.queries
    for (let i = 0; i < 50; i++) expect(await a.sessions.project(id)).toBe('p')
    expect(a.counter.queries - before).toBe(0)
    // The other process asks storage once, then answers from its cache too.
    for (let i = 0; i < 50; i++) expect(await b.sessions.project(id)).toBe('p')
    expect(b.counter.queries).toBe(2) // the key list, then the session
  })

  it('ends a session at once where it was ended, and within the cache time elsewhere', async () => {
    const [a, b] = await processes(300)
    const id = await a.sessions.start(hashKey(readKey), 'p')
    expect(await b.sessions.project(id)).toBe('p')
    await a.sessions.end(id)
    expect(await a.sessions.project(id)).toBeUndefined()
    await sleep(350)
    expect(await b.sessions.project(id)).toBeUndefined()
  })

  it('ends the sessions of a revoked key, and expired ones', async () => {
    const [a] = await processes(300)
    const { read } = await createKeys(storage, 'q', ['read'], 'to revoke')
    await sleep(350)
    const id = await a.sessions.start(hashKey(read as string), 'q')
    expect(await a.sessions.project(id)).toBe('q')
    await revokeKey(storage, read as string)
    // The key cache reloads in the background once stale; the answer after that one refuses.
    await sleep(350)
    await a.sessions.project(id)
    await sleep(50)
    expect(await a.sessions.project(id)).toBeUndefined()
    // Stored ended too, so it stays ended should the key be stored again.
    const rows = await storage.client.query({
      query: `SELECT count() AS n FROM ${storage.database}.dashboard_sessions FINAL
              WHERE key_hash = {hash:String} AND ended_at IS NOT NULL`,
      query_params: { hash: hashKey(read as string) },
      format: 'JSONEachRow',
    })
    expect(Number((await rows.json<{ n: string | number }>())[0]?.n)).toBe(1)

    const keys = new KeyRing(storage)
    const brief = new SessionStore(storage, keys, { maxAgeMs: 100 })
    const short = await brief.start(hashKey(readKey), 'p')
    expect(await brief.project(short)).toBe('p')
    await sleep(150)
    expect(await brief.project(short)).toBeUndefined()
  })

  it('is only as live as its key, however the key was revoked', async () => {
    const [a] = await processes(300)
    const { read } = await createKeys(storage, 'r', ['read'], 'revoked by hand')
    await sleep(350)
    const id = await a.sessions.start(hashKey(read as string), 'r')
    expect(await a.sessions.project(id)).toBe('r')
    // Revoked the way a version without sessions did: the key's row only.
    await storage.client.insert({
      table: `${storage.database}.api_keys`,
      values: [
        {
          key_hash: hashKey(read as string),
          project_id: 'r',
          kind: 'read',
          prefix: (read as string).slice(0, 8),
          revoked_at: '2026-01-01 00:00:00.000',
          version: Date.now(),
        },
      ],
      format: 'JSONEachRow',
    })
    await sleep(350)
    await a.sessions.project(id)
    await sleep(50)
    expect(await a.sessions.project(id)).toBeUndefined()
  })

  it('refuses ids it never gave without asking storage twice', async () => {
    const [a] = await processes(60_000)
    const before = a.counter.queries
    expect(await a.sessions.project('not-an-id')).toBeUndefined()
    expect(await a.sessions.project(readKey)).toBeUndefined()
    expect(a.counter.queries - before).toBe(0)
    expect(await a.sessions.project('A'.repeat(43))).toBeUndefined()
    expect(a.counter.queries - before).toBe(1)
  })
})
