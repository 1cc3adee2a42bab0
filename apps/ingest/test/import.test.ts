/**
 * `lastseen-ingest import`: a backfill from NDJSON through the write path, run twice (the second
 * run stores nothing and says every line was there), read back through the API; bad lines named
 * by number; a store in use by a running service named with what to do.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server.js'
import {
  count,
  expectOneLine,
  READ_KEY,
  runCli,
  startTestServer,
  tempDataDir,
  WRITE_KEY,
} from './helpers.js'
import { daysAgo } from './support/insights-seed.js'

const dir = tempDataDir()
const env = { LASTSEEN_DATA_DIR: dir, LASTSEEN_WRITE_KEY: WRITE_KEY, LASTSEEN_READ_KEY: READ_KEY }
const file = join(tempDataDir(), 'people.ndjson')

const lines = [
  {
    userId: 'u_1',
    accountId: 'acme',
    traits: { email: 'ann@acme.io', name: 'Ann' },
    firstSeen: daysAgo(400),
    lastSeen: daysAgo(30),
  },
  { userId: 'u_2', accountId: 'acme', lastSeen: daysAgo(20) },
  { accountId: 'acme', traits: { name: 'Acme Inc', mrr: 490 } },
  '',
  { userId: 'u_3', traits: { name: 'Cy' } },
  { userId: '', lastSeen: daysAgo(1) },
  '{"userId": "u_6",',
  { userId: 'u_4', lastSeen: '2001-01-01T00:00:00Z' },
  { userId: 'u_5', lastseen: daysAgo(1) },
  { accountId: 'globex', traits: { name: 'Globex', mrr: 100 } },
]

let server: RunningServer | undefined
let runs: { code: number; stdout: string; stderr: string }[]

async function get(path: string) {
  const res = await fetch(`${server?.url}${path}`, {
    headers: { authorization: `Bearer ${READ_KEY}` },
  })
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
  return (await res.json()) as any
}

beforeAll(async () => {
  writeFileSync(
    file,
    `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`,
  )
  runs = [await runCli(['import', file], env), await runCli(['import', file], env)]
  server = await startTestServer(env)
}, 120_000)

afterAll(async () => {
  await server?.close()
})

describe('lastseen-ingest import', () => {
  it('reports lines read, stored, duplicates, and each rejected line by number', () => {
    const [first, second] = runs as [(typeof runs)[0], (typeof runs)[0]]
    // Rejected lines: exit 1, so that a script notices.
    expect(first.code).toBe(1)
    expect(first.stderr).toContain('import: line 6 rejected: userId: userId must not be empty')
    expect(first.stderr).toMatch(/import: line 7 rejected: not JSON: /)
    expect(first.stderr).toContain(
      'import: line 8 rejected: timestamp is older than the late-event window of 3650 days (LASTSEEN_MAX_EVENT_AGE)',
    )
    expect(first.stderr).toMatch(/import: line 9 rejected: .*lastseen/)
    expect(first.stderr).toContain(
      'import done: 9 lines, 5 stored, 0 duplicates, 4 rejected (7 events stored, 0 already stored)',
    )
    // The second run stores nothing: every line is a duplicate.
    expect(second.stderr).toContain(
      'import done: 9 lines, 0 stored, 5 duplicates, 4 rejected (0 events stored, 7 already stored)',
    )
  })

  it('stores profiles, traits and first/last seen once, as the API reads them', async () => {
    const u1 = await get('/v1/users/u_1')
    expect(u1).toMatchObject({
      userId: 'u_1',
      accountId: 'acme',
      firstSeen: daysAgo(400),
      lastSeen: daysAgo(30),
      traits: { email: 'ann@acme.io', name: 'Ann' },
    })
    expect((await get('/v1/accounts/acme')).traits).toEqual({ mrr: 490, name: 'Acme Inc' })
    const quiet = await get('/v1/inactive?level=account&sort=mrr')
    expect(
      quiet.items.map((i: { accountId: string; traits: object }) => [i.accountId, i.traits]),
    ).toEqual([['acme', { mrr: 490, name: 'Acme Inc' }]])
    const found = await get('/v1/users?search=u_')
    expect(
      found.items.map((i: { userId: string; lastSeen: string | null }) => [i.userId, i.lastSeen]),
    ).toEqual([
      ['u_1', daysAgo(30)],
      ['u_2', daysAgo(20)],
      ['u_3', null],
    ])
    // Known only from its traits: found, with its traits.
    expect((await get('/v1/accounts?search=glob')).items).toEqual([
      {
        accountId: 'globex',
        traits: { mrr: 100, name: 'Globex' },
        firstSeen: null,
        lastSeen: null,
      },
    ])
    if (!server) throw new Error('no server')
    expect(await count(server, 'SELECT count() AS n FROM {db}.traits')).toBe(7)
    expect(await count(server, 'SELECT count() AS n FROM {db}.event_ids')).toBe(7)
    expect(
      await count(server, "SELECT count() AS n FROM {db}.user_days WHERE user_id = 'u_1'"),
    ).toBe(2)
  })

  it('says to stop the service when it holds the embedded store', async () => {
    const busy = await runCli(['import', file], env)
    expectOneLine(
      busy,
      /another process \(PID \d+, a running lastseen-ingest\?\) has it open.*; the import writes to the store directly: stop the service, import, then start it again$/,
    )
  })
})
