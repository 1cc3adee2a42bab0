/**
 * The read API on real chDB over a real socket: a history with known answers (users active on
 * known days, an account that went quiet on a known date), sent twice and concurrently so
 * duplicates are injected, and read back exactly; keys and projects kept apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDays, dayOf, eachDay } from '../src/insights/days.js'
import type { RunningServer } from '../src/server.js'
import {
  OTHER_READ_KEY as OTHER_READ,
  OTHER_WRITE_KEY as OTHER_WRITE,
  READ_KEY,
  startWithOtherProject,
  WRITE_KEY,
} from './helpers.js'
import { activeByDay, daysAgo, knownHistory, sendBatch } from './support/insights-seed.js'

const today = dayOf(Date.now())
const ago = (n: number) => addDays(today, -n)
const history = knownHistory()
const otherTime = daysAgo(0)

let server: RunningServer

async function get(path: string, key = READ_KEY) {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } })
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
  return { status: res.status, body: (await res.json()) as any }
}

beforeAll(async () => {
  server = await startWithOtherProject()

  expect(await sendBatch(server.url, WRITE_KEY, history)).toMatchObject({
    accepted: history.length,
  })
  // Resent as a whole, and resent concurrently: nothing may count twice.
  expect(await sendBatch(server.url, WRITE_KEY, history)).toMatchObject({
    accepted: 0,
    duplicates: history.length,
  })
  const race = history.slice(0, 3)
  await Promise.all([1, 2, 3, 4].map(() => sendBatch(server.url, WRITE_KEY, race)))
  // The other project has one user, active today, with an event name of its own.
  await sendBatch(server.url, OTHER_WRITE, [
    {
      id: crypto.randomUUID(),
      type: 'track',
      event: 'secret',
      userId: 'u_1',
      timestamp: otherTime,
    },
  ])
})

afterAll(async () => {
  await server?.close()
})

describe('GET /v1/users/:userId', () => {
  it('answers first/last seen, last sign-in, account and recent activity', async () => {
    const { status, body } = await get('/v1/users/u_1')
    expect(status).toBe(200)
    expect(body).toMatchObject({
      userId: 'u_1',
      accountId: 'acme',
      firstSeen: daysAgo(40),
      lastSignIn: daysAgo(1),
      last7Days: { events: 3, activeDays: 3 },
      last30Days: { events: 3, activeDays: 3 },
      topEvents: [
        { event: 'search', count: 2 },
        { event: 'login', count: 1 },
      ],
    })
    expect(body.lastSeen.slice(0, 10)).toBe(today)
  })

  it('says null for a user who never signed in, and 404 for an unknown user', async () => {
    expect((await get('/v1/users/u_3')).body).toMatchObject({
      lastSignIn: null,
      lastSeen: daysAgo(16),
      last7Days: { events: 0, activeDays: 0 },
      last30Days: { events: 0, activeDays: 1 },
    })
    const missing = await get('/v1/users/nobody')
    expect(missing.status).toBe(404)
    expect(missing.body).toEqual({ error: { code: 'not_found', message: 'no user "nobody"' } })
  })
})

describe('GET /v1/accounts/:accountId', () => {
  it('answers the account with its users and their activity', async () => {
    const { status, body } = await get('/v1/accounts/acme')
    expect(status).toBe(200)
    expect(body).toMatchObject({
      accountId: 'acme',
      firstSeen: daysAgo(40),
      userCount: 2,
      users: [
        { userId: 'u_1', firstSeen: daysAgo(40) },
        { userId: 'u_2', firstSeen: daysAgo(25), lastSeen: daysAgo(20) },
      ],
      last7Days: { events: 3, activeDays: 3 },
      // u_1: 3 days, 3 events; u_2: 2 days (20 and 25 days ago), 4 events.
      last30Days: { events: 7, activeDays: 5 },
      topEvents: [
        { event: 'search', count: 5 },
        { event: 'login', count: 2 },
      ],
    })
    expect((await get('/v1/accounts/initech')).status).toBe(404)
  })
})

describe('GET /v1/active', () => {
  it('answers DAU with rolling WAU and MAU per day, exactly', async () => {
    const { status, body } = await get(`/v1/active?interval=day&from=${ago(6)}&to=${today}`)
    expect(status).toBe(200)
    expect(body.series).toEqual([
      // The 30 days ending 6 days ago hold u_2 (20, 25 days ago) and u_3 (16).
      { date: ago(6), active: 0, wau: 0, mau: 2 },
      { date: ago(5), active: 0, wau: 0, mau: 2 },
      { date: ago(4), active: 0, wau: 0, mau: 2 },
      { date: ago(3), active: 1, wau: 1, mau: 3 },
      { date: ago(2), active: 1, wau: 2, mau: 4 },
      { date: ago(1), active: 1, wau: 2, mau: 4 },
      { date: today, active: 1, wau: 2, mau: 4 },
    ])
    // 30 days ending today: u_1 3 days, u_2 2, u_3 1, u_4 1 = 7 user-days over 30 days; 4 users.
    expect(body.stickiness).toEqual({
      from: ago(29),
      to: today,
      averageDau: 7 / 30,
      mau: 4,
      ratio: 7 / 30 / 4,
    })
  })

  it('matches a reference count of DAU, WAU and MAU over 100 days', async () => {
    const byDay = activeByDay(history)
    const within = (day: string, size: number) => {
      const users = new Set<string>()
      for (let i = 0; i < size; i++) for (const u of byDay.get(addDays(day, -i)) ?? []) users.add(u)
      return users.size
    }
    const { body } = await get(`/v1/active?interval=day&from=${ago(99)}&to=${today}`)
    expect(body.series).toEqual(
      eachDay(ago(99), today).map((date) => ({
        date,
        active: byDay.get(date)?.size ?? 0,
        wau: within(date, 7),
        mau: within(date, 30),
      })),
    )
  })

  it('answers weekly and monthly buckets that match the seeded days', async () => {
    const byDay = activeByDay(history)
    const from = ago(59)
    for (const interval of ['week', 'month'] as const) {
      const { body } = await get(`/v1/active?interval=${interval}&from=${from}&to=${today}`)
      const expected = new Map<string, Set<string>>()
      for (const day of eachDay(from, today)) {
        const d = new Date(day)
        const start =
          interval === 'month' ? `${day.slice(0, 8)}01` : addDays(day, -((d.getUTCDay() + 6) % 7))
        const set = expected.get(start) ?? new Set<string>()
        for (const u of byDay.get(day) ?? []) set.add(u)
        expected.set(start, set)
      }
      expect(body.series).toEqual(
        [...expected].map(([date, users]) => ({ date, active: users.size })),
      )
    }
  })

  it('refuses bad parameters with a 400 that names them', async () => {
    const cases: [string, RegExp][] = [
      ['interval=hour', /^interval: must be 'day', 'week' or 'month'/],
      ['from=yesterday', /^from: must be a date/],
      [`from=${today}&to=${ago(1)}`, /^from: .* is after to/],
      ['from=2020-01-01&to=2026-01-01', /^from: range is over 731 days/],
    ]
    for (const [query, message] of cases) {
      const { status, body } = await get(`/v1/active?${query}`)
      expect(status, query).toBe(400)
      expect(body.error.code).toBe('bad_request')
      expect(body.error.message, query).toMatch(message)
    }
  })
})

describe('GET /v1/active for one user or account', () => {
  it("answers one user's active days, and an account's users' DAU/WAU/MAU", async () => {
    const user = await get(`/v1/active?userId=u_1&from=${ago(4)}&to=${today}`)
    expect(user.body.series.map((p: { active: number }) => p.active)).toEqual([0, 1, 0, 1, 1])
    const account = await get(`/v1/active?accountId=acme&from=${ago(1)}&to=${today}`)
    // acme: u_1 (0, 1, 3 and 40 days ago), u_2 (20, 25 days ago).
    expect(account.body.series).toEqual([
      { date: ago(1), active: 1, wau: 1, mau: 2 },
      { date: today, active: 1, wau: 1, mau: 2 },
    ])
    expect(account.body.stickiness).toMatchObject({ averageDau: 5 / 30, mau: 2 })
    const weeks = await get(
      `/v1/active?accountId=globex&interval=month&from=${ago(59)}&to=${today}`,
    )
    const months = weeks.body.series.reduce((n: number, p: { active: number }) => n + p.active, 0)
    // u_3 was active 50 and 16 days ago: once or twice by month, depending on today's date.
    expect(months).toBe(ago(50).slice(0, 7) === ago(16).slice(0, 7) ? 1 : 2)
  })
})

describe('GET /v1/summary', () => {
  it('compares the 30 days ending today with the 30 days before them', async () => {
    const { status, body } = await get(`/v1/summary?from=${ago(29)}&to=${today}`)
    expect(status).toBe(200)
    expect(body).toEqual({
      // u_1 (0, 1, 3, 40 days ago), u_2 (20, 25), u_3 (16, 50), u_4 (2).
      current: {
        from: ago(29),
        to: today,
        activeUsers: 4,
        activeAccounts: 2,
        newUsers: 2,
        returningUsers: 2,
      },
      previous: {
        from: ago(59),
        to: ago(30),
        activeUsers: 2,
        activeAccounts: 2,
        newUsers: 2,
        returningUsers: 0,
      },
    })
    // The default range is the 30 days ending today.
    expect((await get('/v1/summary')).body).toEqual(body)
  })

  it('counts the first and last day of each period, not one more or less', async () => {
    // 20 to 16 days ago: u_2 (20) and u_3 (16); before, 25 to 21 days ago: u_2 (25, its first).
    const { body } = await get(`/v1/summary?from=${ago(20)}&to=${ago(16)}`)
    expect(body.current).toMatchObject({
      activeUsers: 2,
      activeAccounts: 2,
      newUsers: 0,
      returningUsers: 1,
    })
    expect(body.previous).toEqual({
      from: ago(25),
      to: ago(21),
      activeUsers: 1,
      activeAccounts: 1,
      newUsers: 1,
      returningUsers: 0,
    })
  })

  it('names a bad range', async () => {
    const bad = await get(`/v1/summary?from=${today}&to=${ago(1)}`)
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toMatch(/^from: /)
    expect((await get('/v1/summary?to=tomorrow')).body.error.message).toMatch(/^to: /)
  })
})

describe('GET /v1/inactive', () => {
  it('lists users seen before but not within `after`, with how active they were', async () => {
    const { status, body } = await get('/v1/inactive?level=user&after=14d')
    expect(status).toBe(200)
    expect(body).toMatchObject({ level: 'user', total: 2, offset: 0, nextOffset: null })
    expect(body.items).toEqual([
      {
        userId: 'u_3',
        accountId: 'globex',
        firstSeen: daysAgo(50),
        lastSeen: daysAgo(16),
        inactiveDays: expect.any(Number),
        priorActivity: { activeDays: 1, events: 0 },
        traits: {},
      },
      {
        userId: 'u_2',
        accountId: 'acme',
        firstSeen: daysAgo(25),
        lastSeen: daysAgo(20),
        inactiveDays: expect.any(Number),
        priorActivity: { activeDays: 2, events: 4 },
        traits: {},
      },
    ])
    expect(body.items[0].inactiveDays).toBe(
      Math.floor((Date.now() - Date.parse(daysAgo(16))) / 86_400_000),
    )
  })

  it('sorts by what is being lost and pages through the list', async () => {
    const byEvents = await get('/v1/inactive?sort=events&order=desc&limit=1')
    expect(byEvents.body).toMatchObject({ total: 2, limit: 1, nextOffset: 1 })
    expect(byEvents.body.items.map((i: { userId: string }) => i.userId)).toEqual(['u_2'])
    const page2 = await get('/v1/inactive?sort=events&order=desc&limit=1&offset=1')
    expect(page2.body).toMatchObject({ nextOffset: null })
    expect(page2.body.items.map((i: { userId: string }) => i.userId)).toEqual(['u_3'])
    const past = await get('/v1/inactive?limit=10&offset=10')
    expect(past.body).toMatchObject({ total: 2, offset: 10, nextOffset: null, items: [] })
    // u_4 was last seen at noon two days ago: between 36 and 60 hours ago.
    const short = await get('/v1/inactive?after=3d&sort=last_seen&order=asc')
    expect(short.body.items.map((i: { userId: string }) => i.userId)).toEqual(['u_2', 'u_3'])
    const shorter = await get('/v1/inactive?after=35h&sort=last_seen&order=asc')
    expect(shorter.body.items.map((i: { userId: string }) => i.userId)).toEqual([
      'u_2',
      'u_3',
      'u_4',
    ])
  })

  it('lists accounts that went quiet on a known date', async () => {
    const { body } = await get('/v1/inactive?level=account&after=14d')
    expect(body).toMatchObject({ level: 'account', total: 1 })
    expect(body.items).toEqual([
      {
        accountId: 'globex',
        users: 1,
        firstSeen: daysAgo(50),
        lastSeen: daysAgo(16),
        inactiveDays: expect.any(Number),
        priorActivity: { activeDays: 1, events: 0 },
        traits: {},
      },
    ])
  })

  it('sorts accounts by activity too, with the same numbers', async () => {
    await sendBatch(server.url, WRITE_KEY, [
      {
        id: crypto.randomUUID(),
        type: 'track',
        event: 'search',
        userId: 'u_9',
        accountId: 'hooli',
        timestamp: daysAgo(30),
      },
      {
        id: crypto.randomUUID(),
        type: 'track',
        event: 'search',
        userId: 'u_9',
        accountId: 'hooli',
        timestamp: daysAgo(31),
      },
    ])
    const { body } = await get('/v1/inactive?level=account&sort=events&order=desc')
    expect(
      body.items.map((i: { accountId: string; priorActivity: unknown }) => [
        i.accountId,
        i.priorActivity,
      ]),
    ).toEqual([
      ['hooli', { activeDays: 2, events: 2 }],
      ['globex', { activeDays: 1, events: 0 }],
    ])
    const byDays = await get('/v1/inactive?level=user&sort=active_days&order=asc')
    expect(byDays.body.items.map((i: { userId: string }) => i.userId)).toEqual([
      'u_3',
      'u_2',
      'u_9',
    ])
    expect(byDays.body.items[1].priorActivity).toEqual({ activeDays: 2, events: 4 })
  })

  it('refuses bad parameters with a 400 that names them', async () => {
    for (const [query, message] of [
      ['after=two-weeks', /^after: must be a duration/],
      ['level=team', /^level: must be 'user' or 'account'/],
      ['limit=0', /^limit: must be a whole number from 1 to 1000/],
      ['offset=-1', /^offset: must be a whole number from 0 to 1000000/],
      ['sort=name', /^sort: must be/],
    ] as const) {
      const { status, body } = await get(`/v1/inactive?${query}`)
      expect(status, query).toBe(400)
      expect(body.error.message, query).toMatch(message)
    }
  })
})

describe('GET /v1/inactive?format=csv', () => {
  it('answers the same page as CSV, one row per item, nested figures flattened', async () => {
    const json = await get('/v1/inactive?level=user&after=14d')
    const res = await fetch(`${server.url}/v1/inactive?level=user&after=14d&format=csv`, {
      headers: { authorization: `Bearer ${READ_KEY}` },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="inactive-users.csv"')
    const lines = (await res.text()).split('\r\n')
    expect(lines[0]).toBe(
      'userId,accountId,firstSeen,lastSeen,inactiveDays,priorActivity.activeDays,priorActivity.events',
    )
    expect(lines.slice(1)).toEqual([
      ...json.body.items.map(
        (i: {
          userId: string
          accountId: string
          firstSeen: string
          lastSeen: string
          inactiveDays: number
          priorActivity: { activeDays: number; events: number }
        }) =>
          [
            i.userId,
            i.accountId,
            i.firstSeen,
            i.lastSeen,
            i.inactiveDays,
            i.priorActivity.activeDays,
            i.priorActivity.events,
          ].join(','),
      ),
      '',
    ])
    expect(json.body.items.length).toBeGreaterThanOrEqual(2)
  })

  it('writes the header of an empty list, and refuses another format', async () => {
    const res = await fetch(`${server.url}/v1/inactive?level=account&after=3650d&format=csv`, {
      headers: { authorization: `Bearer ${READ_KEY}` },
    })
    expect(await res.text()).toBe('accountId,users,firstSeen,lastSeen,inactiveDays\r\n')
    const bad = await get('/v1/inactive?format=xml')
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toBe("format: must be 'json' or 'csv'")
  })
})

describe('GET /v1/events', () => {
  it('counts each event per day, for the project, a user or an account', async () => {
    const { body } = await get(`/v1/events?from=${ago(6)}&to=${today}`)
    expect(body).toEqual({
      from: ago(6),
      to: today,
      events: [
        { event: 'search', count: 2, users: 1, days: [{ date: today, count: 2 }] },
        { event: 'login', count: 1, users: 1, days: [{ date: ago(1), count: 1 }] },
        { event: 'report.export', count: 1, users: 1, days: [{ date: ago(2), count: 1 }] },
      ],
    })
    const wide = await get(`/v1/events?from=${ago(59)}&to=${today}&accountId=acme`)
    expect(wide.body.events).toEqual([
      {
        event: 'search',
        count: 6,
        users: 2,
        days: [
          { date: ago(40), count: 1 },
          { date: ago(20), count: 3 },
          { date: today, count: 2 },
        ],
      },
      {
        event: 'login',
        count: 2,
        users: 2,
        days: [
          { date: ago(25), count: 1 },
          { date: ago(1), count: 1 },
        ],
      },
    ])
    const one = await get(`/v1/events?from=${ago(59)}&to=${today}&userId=u_3`)
    expect(one.body.events).toEqual([
      { event: 'search', count: 1, users: 1, days: [{ date: ago(50), count: 1 }] },
    ])
  })
})

describe('GET /v1/frequency', () => {
  it('answers average active days per week and the distribution', async () => {
    const { body } = await get(`/v1/frequency?weeks=4&to=${today}`)
    // 28 days: u_1 3 days, u_2 2, u_3 1, u_4 1.
    expect(body).toMatchObject({ from: ago(27), to: today, weeks: 4, users: 4 })
    expect(body.averageDaysPerWeek).toBe(7 / 4 / 4)
    expect(body.distribution).toEqual([
      { daysPerWeek: 0, users: 2 },
      { daysPerWeek: 1, users: 2 },
      ...[2, 3, 4, 5, 6, 7].map((daysPerWeek) => ({ daysPerWeek, users: 0 })),
    ])
    const bad = await get('/v1/frequency?weeks=0')
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toBe('weeks: must be a whole number of weeks from 1 to 52')
  })
})

describe('read keys', () => {
  it('needs a read key: none is 401, a write key is 403', async () => {
    const none = await fetch(`${server.url}/v1/active`)
    expect(none.status).toBe(401)
    expect(await none.json()).toMatchObject({ error: { code: 'unauthorized' } })
    const write = await get('/v1/active', WRITE_KEY)
    expect(write.status).toBe(403)
    expect(write.body).toMatchObject({ error: { code: 'forbidden' } })
    expect((await get('/v1/users/u_1', 'lsr_unknown_key_00000000000000000000000')).status).toBe(401)
  })

  it("never shows one project's data to another project's read key", async () => {
    const user = await get('/v1/users/u_1', OTHER_READ)
    expect(user.body).toMatchObject({ userId: 'u_1', firstSeen: otherTime, accountId: null })
    expect(user.body.topEvents).toEqual([{ event: 'secret', count: 1 }])
    expect((await get('/v1/accounts/acme', OTHER_READ)).status).toBe(404)
    const inactive = await get('/v1/inactive?after=1d', OTHER_READ)
    expect(inactive.body).toMatchObject({ total: 0, items: [] })
    const events = await get(`/v1/events?from=${ago(59)}&to=${today}`, OTHER_READ)
    expect(events.body.events.map((e: { event: string }) => e.event)).toEqual(['secret'])
    const active = await get(`/v1/active?from=${today}&to=${today}`, OTHER_READ)
    expect(active.body.series).toEqual([{ date: today, active: 1, wau: 1, mau: 1 }])
    const summary = await get('/v1/summary', OTHER_READ)
    expect(summary.body.current).toMatchObject({ activeUsers: 1, activeAccounts: 0, newUsers: 1 })
    expect(summary.body.previous).toMatchObject({ activeUsers: 0, newUsers: 0 })
  })
})

// Last: this user changes the project's counts.
describe('ids in paths', () => {
  it('finds ids with slashes, @ and non-ASCII once percent-encoded; refuses over-long ids', async () => {
    const userId = 'ops/zoë@example.com'
    await sendBatch(server.url, WRITE_KEY, [
      { id: crypto.randomUUID(), type: 'seen', userId, accountId: 'a/b', timestamp: daysAgo(0) },
    ])
    const found = await get(`/v1/users/${encodeURIComponent(userId)}`)
    expect(found.status).toBe(200)
    expect(found.body).toMatchObject({ userId, accountId: 'a/b' })
    expect((await get(`/v1/accounts/${encodeURIComponent('a/b')}`)).body.users).toMatchObject([
      { userId },
    ])
    const long = await get(`/v1/users/${'x'.repeat(201)}`)
    expect(long.status).toBe(400)
    expect(long.body.error.message).toBe('userId: must be 1 to 200 characters')
  })
})

// Last: this user changes the project's counts.
describe('CSV of ids a spreadsheet would run', () => {
  it('defuses a quiet user whose id is a formula', async () => {
    const userId = '=HYPERLINK("http://evil.example","click")'
    await sendBatch(server.url, WRITE_KEY, [
      { id: crypto.randomUUID(), type: 'seen', userId, accountId: '@acme', timestamp: daysAgo(90) },
    ])
    const res = await fetch(
      `${server.url}/v1/inactive?sort=last_seen&order=asc&limit=1&format=csv`,
      {
        headers: { authorization: `Bearer ${READ_KEY}` },
      },
    )
    const [, row] = (await res.text()).split('\r\n')
    expect(row?.startsWith(`"'=HYPERLINK(""http://evil.example"",""click"")","'@acme",`)).toBe(true)
  })
})
