import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { tempDataDir } from '../test/helpers.js'
import { AuthThrottle } from './auth-throttle.js'
import { readConfig } from './env.js'
import {
  createKeys,
  ensureDefaultProject,
  KeyError,
  KeyRing,
  listKeys,
  PROJECT_ID,
  revokeKey,
  storeKey,
} from './keys.js'
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

describe('KeyRing while storage cannot be read', () => {
  it('answers from the keys loaded last, reloading a second later; with none loaded, 503', async () => {
    const { write } = await createKeys(storage, 'p6', ['write'], 'outage')
    // A real failure of the engine: the database is not there.
    const broken = { ...storage, database: 'no_such_database' }
    await expect(new KeyRing(broken).resolve(write!)).rejects.toMatchObject({
      status: 503,
      code: 'unavailable',
      message: 'storage is unavailable; retry later',
      headers: { 'Retry-After': '1' },
    })

    const flaky = { ...storage }
    const ring = new KeyRing(flaky, 1500)
    await ring.reload()
    flaky.database = 'no_such_database'
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      await sleep(1600)
      expect(await ring.resolve(write!)).toEqual({ projectId: 'p6', kind: 'write' })
      await vi.waitFor(() => expect(logged).toHaveBeenCalledTimes(1))
      expect(String(logged.mock.calls[0]?.[0])).toContain('reloading keys failed')
      // Not tried again on every lookup while it fails: after a second.
      expect(await ring.resolve(write!)).toEqual({ projectId: 'p6', kind: 'write' })
      await sleep(100)
      expect(logged).toHaveBeenCalledTimes(1)
      flaky.database = storage.database
      await revokeKey(storage, write!)
      // Tried again a second after the failure, whatever the cache time.
      await sleep(1000)
      await ring.resolve(write!)
      await vi.waitFor(async () => expect(await ring.resolve(write!)).toBeUndefined(), {
        timeout: 1000,
      })
    } finally {
      logged.mockRestore()
    }
  })
})

describe('KeyRing lookups', () => {
  it('never queue a known key behind a reload, and throttle only with an address', async () => {
    const { write } = await createKeys(storage, 'p8', ['write'], 'busy')
    let open: () => void = () => {}
    let gate = Promise.resolve()
    // The same store, whose answers to the reload can be held back.
    const held = {
      ...storage,
      client: {
        query: async (params: Parameters<Storage['client']['query']>[0]) => {
          await gate
          return storage.client.query(params)
        },
      } as unknown as Storage['client'],
    }
    const ring = new KeyRing(held, 0, new AuthThrottle({ burst: 1, rate: 1 }))
    expect(await ring.resolve(write!)).toEqual({ projectId: 'p8', kind: 'write' })
    gate = new Promise((resolve) => (open = resolve))
    const late = sleep(500).then(() => 'waited for the reload')
    expect(await Promise.race([ring.resolve(write!), late])).toEqual({
      projectId: 'p8',
      kind: 'write',
    })
    open()
    // Without the client's address, wrong keys are not throttled (nothing to count them by).
    for (let i = 0; i < 5; i++) expect(await ring.resolve(`lsw_wrong_${i}`)).toBeUndefined()
  })
})

describe('project names', () => {
  it('are lower-case identifiers of up to 63 characters', () => {
    for (const name of ['acme', 'a', '0day', 'my-team_2', 'a'.repeat(63)]) {
      expect(PROJECT_ID.test(name), name).toBe(true)
    }
    for (const name of ['', 'Acme', '-x', '_x', 'a'.repeat(64), 'a b', 'x/y', 'ok\n']) {
      expect(PROJECT_ID.test(name), name).toBe(false)
    }
  })

  it('are recorded with their projects', async () => {
    const created = await createKeys(storage, 'p9', ['write'], 'named')
    expect(Object.keys(created).sort()).toEqual(['read', 'write'])
    expect(created.read).toBeUndefined()
    await ensureDefaultProject(storage, {})
    const result = await storage.client.query({
      query: `SELECT project_id, name FROM ${storage.database}.projects FINAL
              WHERE project_id IN ('p9', 'default') ORDER BY project_id`,
      format: 'JSONEachRow',
    })
    expect(await result.json()).toEqual([
      { project_id: 'default', name: 'Default project' },
      { project_id: 'p9', name: 'p9' },
    ])
    await storeKey(storage, `lsw_${'n'.repeat(32)}`, 'write', 'p9')
    expect((await listKeys(storage, 'p9')).map((k) => k.name).sort()).toEqual(['', 'named'])
  })
})

describe('revoking', () => {
  it('says what it revoked, and refuses a prefix that matches no key or several', async () => {
    const { write, read } = await createKeys(storage, 'p7', ['write', 'read'], 'ci')
    expect(await revokeKey(storage, read!)).toEqual({
      prefix: read!.slice(0, 8),
      projectId: 'p7',
      kind: 'read',
      name: 'ci',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/),
      revokedAt: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/),
    })
    await expect(revokeKey(storage, read!)).rejects.toThrow(
      new KeyError(`no live key matches ${read!}`),
    )
    await expect(revokeKey(storage, 'lsw_none')).rejects.toThrow('no live key matches lsw_none')
    // Two live keys that share the shown prefix: only the whole key says which.
    const twin = `${write!.slice(0, 8)}${'z'.repeat(32)}`
    await storeKey(storage, twin, 'write', 'p7', 'twin')
    await expect(revokeKey(storage, write!.slice(0, 8))).rejects.toThrow(
      `2 keys match ${write!.slice(0, 8)}; give the whole key`,
    )
    expect(await revokeKey(storage, twin)).toMatchObject({ name: 'twin', kind: 'write' })
    const listed = await listKeys(storage, 'p7')
    expect(listed.map((k) => [k.kind, k.name, k.revokedAt === null])).toEqual(
      expect.arrayContaining([
        ['write', 'ci', true],
        ['read', 'ci', false],
        ['write', 'twin', false],
      ]),
    )
    expect(listed).toHaveLength(3)
    expect((await listKeys(storage)).some((k) => k.projectId === 'p1')).toBe(true)
  })
})

describe('the default project', () => {
  it('gets keys generated once, or the configured ones', async () => {
    // A database of its own in the same store (chDB serves one store per process).
    const fresh = { ...storage, database: 'fresh_defaults' }
    await migrate(fresh)
    const generated = await ensureDefaultProject(fresh, {})
    expect(generated.writeKey).toMatch(/^lsw_[\w-]{32}$/)
    expect(generated.readKey).toMatch(/^lsr_[\w-]{32}$/)
    const ring = new KeyRing(fresh)
    expect(await ring.resolve(generated.writeKey!)).toEqual({ projectId: 'default', kind: 'write' })
    expect(await ring.resolve(generated.readKey!)).toEqual({ projectId: 'default', kind: 'read' })
    expect(await ensureDefaultProject(fresh, {})).toEqual({})
    const configured = `lsw_${'c'.repeat(32)}`
    expect(await ensureDefaultProject(fresh, { writeKey: configured })).toEqual({})
    expect(await new KeyRing(fresh).resolve(configured)).toEqual({
      projectId: 'default',
      kind: 'write',
    })
    expect((await listKeys(fresh, 'default')).map((k) => k.name).sort()).toEqual([
      'from environment',
      'generated on first start',
      'generated on first start',
    ])
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
