/**
 * `GET /v1/lifecycle` and `GET /v1/retention` on real chDB over a real socket, against a
 * seeded history of a few hundred users (deterministic pseudo-random), checked against counts
 * made here in plain TypeScript from the seeded events; resending every event changes
 * nothing, and another project's users never count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server.js'
import {
  OTHER_READ_KEY as OTHER_READ,
  OTHER_WRITE_KEY as OTHER_WRITE,
  READ_KEY,
  startWithOtherProject,
  WRITE_KEY,
} from './helpers.js'
import { activeOn } from './support/activity-seed.js'
import { type SeedEvent, sendBatch } from './support/insights-seed.js'

const DAY = 86_400_000
const USERS = 300
const SPAN = 150

/** mulberry32: the same history on every run. */
function random(seed: number) {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Users and the days (ago) they were active: each starts some day, comes back at its own rate, and may stop. */
function seedHistory(): Map<string, number[]> {
  const next = random(20260921)
  const out = new Map<string, number[]>()
  for (let u = 0; u < USERS; u++) {
    const start = Math.floor(next() * SPAN)
    const stop = next() < 0.4 ? Math.floor(next() * start) : 0
    const rate = 0.03 + next() * 0.3
    const days = [start]
    for (let n = start - 1; n >= stop; n--) if (next() < rate) days.push(n)
    out.set(`u_${u}`, days)
  }
  return out
}

const active = seedHistory()
const events: SeedEvent[] = [...active].flatMap(([user, days]) => activeOn(user, days))

// The reference model: periods computed here, independently of the service's code.
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)
const dayAgo = (n: number) => isoDay(Date.now() - n * DAY)
const weekOf = (day: string) => {
  const t = Date.parse(day)
  return isoDay(t - ((new Date(t).getUTCDay() + 6) % 7) * DAY)
}
const monthOf = (day: string) => `${day.slice(0, 7)}-01`
type Interval = 'week' | 'month'
const periodOf = (day: string, i: Interval) => (i === 'week' ? weekOf(day) : monthOf(day))
const previous = (p: string, i: Interval) =>
  i === 'week' ? isoDay(Date.parse(p) - 7 * DAY) : monthOf(isoDay(Date.parse(p) - DAY))
const following = (p: string, i: Interval) =>
  i === 'week' ? isoDay(Date.parse(p) + 7 * DAY) : monthOf(isoDay(Date.parse(p) + 32 * DAY))

/** Each user's periods and the period of its first day. */
function byPeriod(i: Interval) {
  return [...active.values()].map((days) => ({
    periods: new Set(days.map((n) => periodOf(dayAgo(n), i))),
    first: periodOf(dayAgo(Math.max(...days)), i),
  }))
}

function expectedLifecycle(i: Interval, from: string, to: string) {
  const users = byPeriod(i)
  const out = []
  for (let p = periodOf(from, i); p <= to; p = following(p, i)) {
    const before = previous(p, i)
    const count = (f: (u: (typeof users)[number]) => boolean) => users.filter(f).length
    out.push({
      period: p,
      new: count((u) => u.first === p),
      returning: count((u) => u.periods.has(p) && u.periods.has(before)),
      resurrecting: count((u) => u.periods.has(p) && !u.periods.has(before) && u.first < before),
      dormant: count((u) => !u.periods.has(p) && u.periods.has(before)),
    })
  }
  return out
}

function expectedRetention(i: Interval, cohorts: number) {
  const users = byPeriod(i)
  const last = periodOf(dayAgo(0), i)
  const starts = [last]
  while (starts.length < cohorts) starts.unshift(previous(starts[0] as string, i))
  return starts.map((cohort, c) => {
    const members = users.filter((u) => u.first === cohort)
    return {
      cohort,
      size: members.length,
      active: starts.slice(c).map((p) => members.filter((u) => u.periods.has(p)).length),
    }
  })
}

let server: RunningServer

async function get(path: string, key = READ_KEY) {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } })
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
  return { status: res.status, body: (await res.json()) as any }
}

async function sendAll(key: string, all: SeedEvent[]) {
  let accepted = 0
  for (let i = 0; i < all.length; i += 1000) {
    accepted += (await sendBatch(server.url, key, all.slice(i, i + 1000))).accepted
  }
  return accepted
}

const questions = [
  `/v1/lifecycle?interval=week&from=${dayAgo(SPAN + 10)}&to=${dayAgo(0)}`,
  `/v1/lifecycle?interval=month&from=${dayAgo(SPAN + 10)}&to=${dayAgo(0)}`,
  `/v1/lifecycle?interval=week&from=${dayAgo(60)}&to=${dayAgo(30)}`,
  '/v1/retention?interval=week&cohorts=8',
  '/v1/retention?interval=month&cohorts=6',
]
const answers = new Map<string, unknown>()

beforeAll(async () => {
  server = await startWithOtherProject()
  expect(await sendAll(WRITE_KEY, events)).toBe(events.length)
  // Another project: users of the same names, active on other days.
  await sendAll(OTHER_WRITE, [
    ...activeOn('u_0', [0, 1, 2, 40, 90]),
    ...activeOn('u_1', [5, 100]),
    ...activeOn('o_1', [3, 33]),
  ])
  for (const q of questions) answers.set(q, (await get(q)).body)
}, 120_000)

afterAll(async () => {
  await server?.close()
})

describe('GET /v1/lifecycle', () => {
  it('counts new, returning, resurrecting and dormant users per week, from Monday', async () => {
    const { status, body } = await get(questions[0] as string)
    expect(status).toBe(200)
    expect(body.interval).toBe('week')
    expect(body.periods).toEqual(expectedLifecycle('week', dayAgo(SPAN + 10), dayAgo(0)))
    // Every period is named by a Monday; the users active in it are new + returning + resurrecting.
    for (const p of body.periods) expect(new Date(p.period).getUTCDay()).toBe(1)
    expect(body.periods.reduce((n: number, p: { new: number }) => n + p.new, 0)).toBe(USERS)
  })

  it('per month, and for a range inside the history', async () => {
    expect((await get(questions[1] as string)).body.periods).toEqual(
      expectedLifecycle('month', dayAgo(SPAN + 10), dayAgo(0)),
    )
    expect((await get(questions[2] as string)).body.periods).toEqual(
      expectedLifecycle('week', dayAgo(60), dayAgo(30)),
    )
  })

  it('lists the 12 periods ending with the current one by default', async () => {
    const { body } = await get('/v1/lifecycle?interval=month')
    expect(body.periods).toHaveLength(12)
    expect(body.periods.at(-1).period).toBe(monthOf(dayAgo(0)))
  })

  it('answers 400 naming a bad parameter', async () => {
    for (const [query, name] of [
      ['interval=day', 'interval'],
      [`from=${dayAgo(0)}&to=${dayAgo(1)}`, 'from'],
      [`interval=week&from=${dayAgo(121 * 7)}`, 'from'],
      ['from=yesterday', 'from'],
    ]) {
      const { status, body } = await get(`/v1/lifecycle?${query}`)
      expect(status, query).toBe(400)
      expect(body.error.message, query).toMatch(new RegExp(`^${name}: `))
    }
    expect((await get(`/v1/lifecycle?interval=week&from=${dayAgo(119 * 7)}`)).status).toBe(200)
  })
})

describe('GET /v1/retention', () => {
  it('counts each weekly cohort and how many of it came back each week after', async () => {
    const { status, body } = await get(questions[3] as string)
    expect(status).toBe(200)
    expect(body).toEqual({ interval: 'week', cohorts: expectedRetention('week', 8) })
    for (const c of body.cohorts) expect(c.active[0]).toBe(c.size)
  })

  it('per month', async () => {
    expect((await get(questions[4] as string)).body.cohorts).toEqual(expectedRetention('month', 6))
  })

  it('answers 400 naming a bad parameter', async () => {
    for (const [query, name] of [
      ['cohorts=0', 'cohorts'],
      ['cohorts=121', 'cohorts'],
      ['interval=year', 'interval'],
    ]) {
      const { status, body } = await get(`/v1/retention?${query}`)
      expect(status, query).toBe(400)
      expect(body.error.message, query).toMatch(new RegExp(`^${name}: `))
    }
  })
})

describe('both', () => {
  it('change nothing when every event is sent again, or a day gets more events', async () => {
    expect(await sendAll(WRITE_KEY, events)).toBe(0)
    // More events on days already active, in inserts of their own.
    await sendAll(
      WRITE_KEY,
      events.slice(0, 200).map((e) => ({ ...e, id: crypto.randomUUID() })),
    )
    for (const q of questions) expect((await get(q)).body, q).toEqual(answers.get(q))
  })

  it("never count another project's users", async () => {
    // Its own three users (first seen 100, 90 and 33 days ago), and none of ours.
    const { body } = await get('/v1/retention?interval=month&cohorts=6', OTHER_READ)
    expect(body.cohorts.reduce((n: number, c: { size: number }) => n + c.size, 0)).toBe(3)
    const weeks = await get(`/v1/lifecycle?interval=week&from=${dayAgo(SPAN)}`, OTHER_READ)
    expect(weeks.body.periods.reduce((n: number, p: { new: number }) => n + p.new, 0)).toBe(3)
  })
})
