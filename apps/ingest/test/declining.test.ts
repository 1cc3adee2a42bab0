/**
 * `GET /v1/declining` on real chDB over a real socket: users and accounts active for eight
 * weeks and then much less, next to steady, silent and weekly ones; sent twice so duplicates are
 * stored; another project's users never show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDays, dayOf } from '../src/insights/days.js'
import type { RunningServer } from '../src/server.js'
import {
  OTHER_READ_KEY as OTHER_READ,
  OTHER_WRITE_KEY as OTHER_WRITE,
  READ_KEY,
  startWithOtherProject,
  WRITE_KEY,
} from './helpers.js'
import { activeOn, daysAgoRange as days } from './support/activity-seed.js'
import { sendBatch } from './support/insights-seed.js'

/** Daily for the 8 weeks (56 days) before the last 14 days: days 14 to 69 ago. */
const eightWeeks = days(14, 69)

const history = [
  // Active daily for 8 weeks, then 2 days in the last 14: declining.
  ...activeOn('u_drop', [...eightWeeks, 3, 10]),
  ...activeOn('d1', [...eightWeeks, 5, 12], 'dip'),
  // Active daily throughout: not declining.
  ...activeOn('u_steady', days(0, 69)),
  // Silent for the last 14 days: inactive, not declining.
  ...activeOn('u_silent', eightWeeks),
  // Once a week throughout: 2 of the last 14 days, 8 of the 56 before: expected 2, not declining.
  ...activeOn('u_weekly', days(1, 69, 7)),
  // Exactly half of what was expected: listed (recent ≤ expected × (1 − drop)).
  ...activeOn('u_half', [...eightWeeks, ...days(0, 6)]),
  // Expected 1.75 (< 2): too little history to say.
  ...activeOn('u_small', [...days(20, 26), 2]),
  // Expected exactly 2, recent 1: listed.
  ...activeOn('u_edge', [...days(20, 27), 2]),
  // A team of three that stopped using two seats: 14 user-days of 42 expected.
  ...activeOn('s1', days(0, 69), 'shrink'),
  ...activeOn('s2', eightWeeks, 'shrink'),
  ...activeOn('s3', eightWeeks, 'shrink'),
  ...activeOn('t1', days(0, 69), 'steady'),
  ...activeOn('g1', eightWeeks, 'gone'),
  ...activeOn('w1', days(1, 69, 7), 'weekly'),
]

let server: RunningServer

async function get(path: string, key = READ_KEY) {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } })
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
  return { status: res.status, body: (await res.json()) as any }
}

const ids = (body: { items: { userId?: string; accountId: string }[] }) =>
  body.items.map((i) => i.userId ?? i.accountId)

beforeAll(async () => {
  server = await startWithOtherProject()
  expect(await sendBatch(server.url, WRITE_KEY, history)).toMatchObject({
    accepted: history.length,
  })
  // Resent whole and concurrently: nothing may count twice.
  expect(await sendBatch(server.url, WRITE_KEY, history)).toMatchObject({ accepted: 0 })
  await Promise.all([1, 2, 3].map(() => sendBatch(server.url, WRITE_KEY, history.slice(0, 80))))
  // More events on days already active, each in its own insert: a day counts once however
  // many rows it has.
  for (const extra of [activeOn('u_drop', [3, 20]), activeOn('s1', [1, 30])]) {
    await sendBatch(server.url, WRITE_KEY, extra)
  }
  // The other project: a u_drop active every day of the window (it would lift ours), and a
  // declining user of its own.
  await sendBatch(server.url, OTHER_WRITE, [
    ...activeOn('u_drop', days(0, 13), 'dip'),
    ...activeOn('o_drop', [...eightWeeks, 1]),
  ])
})

afterAll(async () => {
  await server?.close()
})

describe('GET /v1/declining', () => {
  it('lists users active much less than before, by expected − recent, then id', async () => {
    const { status, body } = await get('/v1/declining')
    expect(status).toBe(200)
    const today = dayOf(Date.now())
    expect(body).toMatchObject({
      level: 'user',
      window: { from: addDays(today, -13), to: today, days: 14 },
      baseline: { from: addDays(today, -69), to: addDays(today, -14), days: 56 },
      drop: 0.5,
      total: 4,
      limit: 50,
      offset: 0,
      nextOffset: null,
    })
    expect(body.items).toEqual([
      {
        userId: 'd1',
        accountId: 'dip',
        recent: 2,
        expected: 14,
        drop: 1 - 2 / 14,
        lastSeen: `${addDays(today, -5)}T00:00:30.000Z`,
        traits: {},
      },
      {
        userId: 'u_drop',
        accountId: null,
        recent: 2,
        expected: 14,
        drop: 1 - 2 / 14,
        lastSeen: `${addDays(today, -3)}T00:00:30.000Z`,
        traits: {},
      },
      expect.objectContaining({ userId: 'u_half', recent: 7, expected: 14, drop: 0.5 }),
      expect.objectContaining({ userId: 'u_edge', recent: 1, expected: 2, drop: 0.5 }),
    ])
  })

  it('leaves out the steady, the weekly, the small and the silent; the silent are inactive', async () => {
    const listed = ids((await get('/v1/declining')).body)
    for (const id of ['u_steady', 'u_weekly', 'u_small', 'u_silent', 's1', 's2', 's3']) {
      expect(listed).not.toContain(id)
    }
    const inactive = await get('/v1/inactive?after=14d&limit=1000')
    expect(ids(inactive.body)).toContain('u_silent')
    expect(ids(inactive.body)).not.toContain('u_drop')
  })

  it('counts an account’s active user-days over its users', async () => {
    const { body } = await get('/v1/declining?level=account')
    expect(body).toMatchObject({ level: 'account', total: 2 })
    expect(body.items).toEqual([
      {
        accountId: 'shrink',
        recent: 14,
        expected: 42,
        drop: 1 - 14 / 42,
        lastSeen: expect.stringMatching(new RegExp(`^${dayOf(Date.now())}T`)),
        traits: {},
      },
      expect.objectContaining({ accountId: 'dip', recent: 2, expected: 14 }),
    ])
    const inactive = await get('/v1/inactive?level=account&after=14d')
    expect(ids(inactive.body)).toEqual(['gone'])
  })

  it('carries traits, and lists accounts by their mrr first when it is known', async () => {
    const group = (accountId: string, traits: Record<string, unknown>) => ({
      id: crypto.randomUUID(),
      type: 'group',
      accountId,
      traits,
    })
    const identify = {
      id: crypto.randomUUID(),
      type: 'identify',
      userId: 'u_drop',
      traits: { email: 'drop@acme.io', name: 'Dee' },
    }
    await sendBatch(server.url, OTHER_WRITE, [group('dip', { mrr: 10_000 })])
    await sendBatch(server.url, WRITE_KEY, [group('dip', { name: 'Dip Ltd', mrr: 490 }), identify])
    const accounts = (await get('/v1/declining?level=account')).body.items
    // `dip` drops less than `shrink`, but pays: it comes first.
    expect(accounts.map((i: { accountId: string }) => i.accountId)).toEqual(['dip', 'shrink'])
    expect(accounts[0].traits).toEqual({ name: 'Dip Ltd', mrr: 490 })
    expect(accounts[1].traits).toEqual({})
    const users = (await get('/v1/declining')).body.items
    expect(users.find((i: { userId: string }) => i.userId === 'u_drop').traits).toEqual({
      email: 'drop@acme.io',
      name: 'Dee',
    })
  })

  it('takes window, baseline and drop', async () => {
    expect(ids((await get('/v1/declining?drop=0.85')).body)).toEqual(['d1', 'u_drop'])
    expect(ids((await get('/v1/declining?drop=0.9')).body)).toEqual([])
    // 7 days against the 28 before: u_drop has 1 (day 3) against 22 (day 10, days 14 to 34).
    const week = await get('/v1/declining?window=7d&baseline=28d&drop=0.5')
    expect(week.body.items).toContainEqual(
      expect.objectContaining({ userId: 'u_drop', recent: 1, expected: 5.5 }),
    )
  })

  it('pages with limit and offset, the total on every page', async () => {
    const first = await get('/v1/declining?limit=2')
    expect(first.body).toMatchObject({ total: 4, nextOffset: 2 })
    expect(ids(first.body)).toEqual(['d1', 'u_drop'])
    const second = await get('/v1/declining?limit=2&offset=2')
    expect(second.body).toMatchObject({ total: 4, nextOffset: null })
    expect(ids(second.body)).toEqual(['u_half', 'u_edge'])
    expect((await get('/v1/declining?offset=10')).body).toMatchObject({ total: 4, items: [] })
  })

  it('answers the same page as CSV with format=csv', async () => {
    const json = await get('/v1/declining?level=account')
    const res = await fetch(`${server.url}/v1/declining?level=account&format=csv`, {
      headers: { authorization: `Bearer ${READ_KEY}` },
    })
    expect(res.headers.get('content-disposition')).toBe(
      'attachment; filename="declining-accounts.csv"',
    )
    const [header, ...rows] = (await res.text()).split('\r\n')
    expect(header).toMatch(/^accountId,recent,expected,drop,lastSeen(,|$)/)
    expect(rows.slice(0, -1).map((r) => r.split(',').slice(0, 5).join(','))).toEqual(
      json.body.items.map(
        (i: {
          accountId: string
          recent: number
          expected: number
          drop: number
          lastSeen: string
        }) => [i.accountId, i.recent, i.expected, i.drop, i.lastSeen].join(','),
      ),
    )
    expect(json.body.items.length).toBeGreaterThan(0)
  })

  it("never shows another project's users", async () => {
    expect(ids((await get('/v1/declining')).body)).not.toContain('o_drop')
    const other = await get('/v1/declining', OTHER_READ)
    expect(ids(other.body)).toEqual(['o_drop'])
    expect((await get('/v1/declining?level=account', OTHER_READ)).body.items).toEqual([])
  })

  it('answers 400 naming a bad parameter', async () => {
    for (const [query, name] of [
      ['level=team', 'level'],
      ['window=0d', 'window'],
      ['window=366d', 'window'],
      ['window=14', 'window'],
      ['window=2w', 'window'],
      ['baseline=3651d', 'baseline'],
      ['drop=0', 'drop'],
      ['drop=1.5', 'drop'],
      ['drop=half', 'drop'],
      ['limit=0', 'limit'],
    ]) {
      const { status, body } = await get(`/v1/declining?${query}`)
      expect(status, query).toBe(400)
      expect(body.error.code).toBe('bad_request')
      expect(body.error.message, query).toMatch(new RegExp(`^${name}: `))
    }
    expect((await get('/v1/declining?window=365d&baseline=3650d&drop=1')).status).toBe(200)
  })
})
