/**
 * Traits on real chDB over a real socket: `identify` and `group` events merged per key (the
 * latest timestamp wins whatever the arrival order; `null` removes), counted once when resent,
 * kept per project, never taken for activity, refused one by one when bad, and carried by every
 * answer about a user or an account; search, and accounts sorted by `mrr`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server.js'
import {
  count,
  OTHER_READ_KEY as OTHER_READ,
  OTHER_WRITE_KEY as OTHER_WRITE,
  READ_KEY,
  startWithOtherProject,
  WRITE_KEY,
} from './helpers.js'
import { groupEvent, identifyEvent } from './support/events.js'
import { daysAgo, knownHistory, seen, sendBatch } from './support/insights-seed.js'

let server: RunningServer

async function get(path: string, key = READ_KEY) {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } })
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
  return { status: res.status, body: (await res.json()) as any }
}

const send = (batch: object[], key = WRITE_KEY) => sendBatch(server.url, key, batch)

/** Before any trait: what identify must not change. */
let before: { u2: unknown; active: unknown; inactive: unknown }

beforeAll(async () => {
  server = await startWithOtherProject()
  // knownHistory, and three more quiet accounts for sorting by mrr.
  await send([
    ...knownHistory(),
    seen('u_5', 30, 'initech'),
    seen('u_6', 20, 'umbrella'),
    seen('u_7', 25, 'hooli'),
  ])
  await send([identifyEvent('u_1', {}, { timestamp: daysAgo(0) })], OTHER_WRITE)
  before = {
    u2: (await get('/v1/users/u_2')).body,
    active: (await get('/v1/active?interval=day')).body,
    inactive: (await get('/v1/inactive?level=user')).body.items,
  }
})

afterAll(async () => {
  await server?.close()
})

describe('identify and group', () => {
  it('merges per key: the latest timestamp wins whatever the arrival order', async () => {
    // The newer email arrives first; the older one (with a name) after it.
    await send([identifyEvent('u_1', { email: 'ann@acme.io' }, { timestamp: daysAgo(1) })])
    await send([
      identifyEvent('u_1', { email: 'old@acme.io', name: 'Ann' }, { timestamp: daysAgo(5) }),
    ])
    const { body } = await get('/v1/users/u_1')
    expect(body.traits).toEqual({ email: 'ann@acme.io', name: 'Ann' })
  })

  it('removes a trait whose latest value is null, in either arrival order', async () => {
    await send([identifyEvent('u_1', { plan: 'pro' }, { timestamp: daysAgo(3) })])
    await send([identifyEvent('u_1', { plan: null }, { timestamp: daysAgo(2) })])
    // A removal that arrives before an older value still wins.
    await send([identifyEvent('u_1', { seats: null }, { timestamp: daysAgo(1) })])
    await send([
      identifyEvent('u_1', { seats: 3, tags: ['a', { b: 1 }] }, { timestamp: daysAgo(4) }),
    ])
    const { body } = await get('/v1/users/u_1')
    expect(body.traits).toEqual({ email: 'ann@acme.io', name: 'Ann', tags: ['a', { b: 1 }] })
  })

  it('orders traits by stored time: a skewed clock is corrected, a far future clamped', async () => {
    const now = Date.now()
    const at = (ms: number) => new Date(ms).toISOString()
    // A client whose clock is 3 h behind sets plan 30 min ago (by the real clock)…
    const skewed = {
      sentAt: at(now - 3 * 3_600_000),
      batch: [identifyEvent('skew_1', { plan: 'a' }, { timestamp: at(now - 3.5 * 3_600_000) })],
    }
    const res = await fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WRITE_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(skewed),
    })
    expect(res.status).toBe(200)
    // …after a correct client set it an hour ago: the skewed one is the latest.
    await send([identifyEvent('skew_1', { plan: 'b' }, { timestamp: at(now - 3_600_000) })])
    // A time a day ahead is clamped to the receive time: a later one within minutes wins.
    await send([identifyEvent('skew_1', { seats: 1 }, { timestamp: at(now + 86_400_000) })])
    await send([identifyEvent('skew_1', { seats: 2 }, { timestamp: at(Date.now() + 5 * 60_000) })])
    const found = (await get('/v1/users?search=skew')).body.items[0]
    expect(found.traits).toEqual({ plan: 'a', seats: 2 })
  })

  it('counts a resent identify or group once, and stores its rows once', async () => {
    const identify = identifyEvent('u_4', { name: 'Dee' }, { timestamp: daysAgo(1) })
    const group = groupEvent('globex', { name: 'Globex Corp', mrr: 100 }, { userId: 'u_3' })
    expect(await send([identify, group])).toMatchObject({ accepted: 2, duplicates: 0 })
    expect(await send([identify, group, identify])).toMatchObject({ accepted: 0, duplicates: 3 })
    await Promise.all([1, 2, 3].map(() => send([identify, group])))
    expect(
      await count(server, `SELECT count() AS n FROM {db}.traits FINAL WHERE id = '${identify.id}'`),
    ).toBe(1)
    expect((await get('/v1/users/u_4')).body.traits).toEqual({ name: 'Dee' })
    expect((await get('/v1/accounts/globex')).body.traits).toEqual({
      mrr: 100,
      name: 'Globex Corp',
    })
  })

  it('keeps traits per project', async () => {
    await send(
      [identifyEvent('u_1', { email: 'eve@other.io' }, { timestamp: daysAgo(0) })],
      OTHER_WRITE,
    )
    await send([seen('u_1', 0)], OTHER_WRITE)
    expect((await get('/v1/users/u_1')).body.traits.email).toBe('ann@acme.io')
    expect((await get('/v1/users/u_1', OTHER_READ)).body.traits).toEqual({ email: 'eve@other.io' })
  })

  it('is not activity: last seen, active users and the quiet list do not change', async () => {
    await send([
      identifyEvent('u_2', { name: 'Bob', email: 'bob@acme.io' }, { timestamp: daysAgo(0) }),
      identifyEvent('u_9', { name: 'Nina Never' }, { accountId: 'acme' }),
      groupEvent('initech', { name: 'Initech', mrr: 900 }, { userId: 'u_5' }),
      groupEvent('hooli', { name: 'Hooli', mrr: 'lots' }),
    ])
    const { traits, ...u2 } = (await get('/v1/users/u_2')).body
    expect(traits).toEqual({ email: 'bob@acme.io', name: 'Bob' })
    const { traits: _none, ...u2Before } = before.u2 as Record<string, unknown>
    expect(u2).toEqual(u2Before)
    expect((await get('/v1/active?interval=day')).body).toEqual(before.active)
    const quiet = (await get('/v1/inactive?level=user')).body.items
    expect(quiet.map((i: { userId: string }) => i.userId)).toEqual(
      (before.inactive as { userId: string }[]).map((i) => i.userId),
    )
    // Known only from identify: no profile, and not quiet.
    expect((await get('/v1/users/u_9')).status).toBe(404)
    expect(await count(server, "SELECT count() AS n FROM {db}.users WHERE user_id = 'u_9'")).toBe(0)
  })

  it('refuses a bad identify or group on its own, and stores the rest of the batch', async () => {
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i]))
    const good = identifyEvent('u_3', { name: 'Cy' })
    const answer = await send([
      identifyEvent('u_3', ['not', 'an', 'object'] as unknown as Record<string, unknown>),
      identifyEvent('u_3', many),
      good,
      groupEvent('', { name: 'x' }),
      identifyEvent('u_3', { '': 1 }),
    ])
    expect(answer.accepted).toBe(1)
    expect(answer.rejected).toEqual([
      { index: 0, reason: 'traits: traits must be a JSON object' },
      { index: 1, reason: 'traits: 101 keys; the limit is 100 keys per event' },
      { index: 3, reason: expect.stringMatching(/^accountId: /) },
      {
        index: 4,
        reason: expect.stringContaining('traits: every key must be 1 to 200 characters'),
      },
    ])
    expect((await get('/v1/users/u_3')).body.traits).toEqual({ name: 'Cy' })
    const res = await fetch(`${server.url}/v1/track`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WRITE_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(identifyEvent('u_3', many)),
    })
    expect(res.status).toBe(400)
  })
})

describe('answers about users and accounts', () => {
  it('carry traits: the profiles, the users of an account, every item of /v1/inactive', async () => {
    const acme = (await get('/v1/accounts/acme')).body
    expect(acme.traits).toEqual({})
    expect(acme.users.map((u: { userId: string; traits: object }) => [u.userId, u.traits])).toEqual(
      [
        ['u_1', { email: 'ann@acme.io', name: 'Ann', tags: ['a', { b: 1 }] }],
        ['u_2', { email: 'bob@acme.io', name: 'Bob' }],
      ],
    )
    const users = (await get('/v1/inactive?level=user&limit=1000')).body.items
    const byId = Object.fromEntries(
      users.map((i: { userId: string; traits: object }) => [i.userId, i.traits]),
    )
    expect(byId).toEqual({
      u_2: { email: 'bob@acme.io', name: 'Bob' },
      u_3: { name: 'Cy' },
      u_5: {},
      u_6: {},
      u_7: {},
    })
    const accounts = (await get('/v1/inactive?level=account')).body.items
    expect(accounts.find((i: { accountId: string }) => i.accountId === 'globex').traits).toEqual({
      mrr: 100,
      name: 'Globex Corp',
    })
  })
})

describe('GET /v1/inactive?sort=mrr', () => {
  it('sorts quiet accounts by mrr, unknown (missing or not a number) last', async () => {
    const ids = async (query: string) =>
      (await get(`/v1/inactive?level=account&sort=mrr${query}`)).body.items.map(
        (i: { accountId: string }) => i.accountId,
      )
    expect(await ids('')).toEqual(['initech', 'globex', 'hooli', 'umbrella'])
    expect(await ids('&order=asc')).toEqual(['globex', 'initech', 'hooli', 'umbrella'])
    expect(await ids('&limit=2&offset=1')).toEqual(['globex', 'hooli'])
  })

  it('is a 400 naming sort for users', async () => {
    const { status, body } = await get('/v1/inactive?level=user&sort=mrr')
    expect(status).toBe(400)
    expect(body.error.message).toMatch(/^sort: /)
  })
})

describe('search', () => {
  const ids = async (path: string) => {
    const { status, body } = await get(path)
    expect(status, JSON.stringify(body)).toBe(200)
    return body.items.map((i: { userId?: string; accountId: string }) => i.userId ?? i.accountId)
  }

  it('finds users by id prefix, or email or name anywhere, ignoring case', async () => {
    expect(await ids('/v1/users?search=ann')).toEqual(['u_1'])
    expect(await ids('/v1/users?search=ACME.IO')).toEqual(['u_1', 'u_2'])
    expect(await ids('/v1/users?search=U_')).toEqual([
      'u_1',
      'u_2',
      'u_3',
      'u_4',
      'u_5',
      'u_6',
      'u_7',
      'u_9',
    ])
    // An old email no longer finds anyone; nor does a trait other than email and name.
    expect(await ids('/v1/users?search=old@')).toEqual([])
    expect(await ids('/v1/users?search=pro')).toEqual([])
    // Not a prefix of the id.
    expect(await ids('/v1/users?search=_1')).toEqual([])
  })

  it('answers like /v1/inactive pages, with users known only from identify unseen', async () => {
    const { body } = await get('/v1/users?search=u_&limit=3&offset=6')
    expect(body).toMatchObject({ total: 8, limit: 3, offset: 6, nextOffset: null })
    expect(body.items).toEqual([
      {
        userId: 'u_7',
        accountId: 'hooli',
        traits: {},
        firstSeen: daysAgo(25),
        lastSeen: daysAgo(25),
      },
      {
        userId: 'u_9',
        accountId: null,
        traits: { name: 'Nina Never' },
        firstSeen: null,
        lastSeen: null,
      },
    ])
    expect((await get('/v1/users?search=u_&limit=3')).body.nextOffset).toBe(3)
    expect((await get('/v1/users?search=u_&offset=20')).body).toMatchObject({ total: 8, items: [] })
  })

  it('answers the same page as CSV with format=csv, traits as columns', async () => {
    const res = await fetch(`${server.url}/v1/users?search=u_&limit=3&offset=6&format=csv`, {
      headers: { authorization: `Bearer ${READ_KEY}` },
    })
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="users.csv"')
    expect(await res.text()).toBe(
      [
        'userId,accountId,firstSeen,lastSeen,traits.name',
        `u_7,hooli,${daysAgo(25)},${daysAgo(25)},`,
        'u_9,,,,Nina Never',
        '',
      ].join('\r\n'),
    )
  })

  it('finds accounts by id prefix or name, in their project only', async () => {
    expect(await ids('/v1/accounts?search=ini')).toEqual(['initech'])
    expect(await ids('/v1/accounts?search=corp')).toEqual(['globex'])
    const { body } = await get('/v1/accounts?search=glo')
    expect(body.items).toEqual([
      {
        accountId: 'globex',
        traits: { mrr: 100, name: 'Globex Corp' },
        firstSeen: daysAgo(50),
        lastSeen: daysAgo(16),
      },
    ])
    expect(await ids('/v1/users?search=ann')).toEqual(['u_1'])
    const other = await get('/v1/users?search=eve@', OTHER_READ)
    expect(other.body.items.map((i: { userId: string }) => i.userId)).toEqual(['u_1'])
    expect(await ids('/v1/users?search=eve@')).toEqual([])
  })

  it('is a 400 naming search when it is missing, empty or too long', async () => {
    for (const query of ['', '?search=', `?search=${'a'.repeat(201)}`]) {
      for (const path of ['/v1/users', '/v1/accounts']) {
        const { status, body } = await get(`${path}${query}`)
        expect(status, path + query).toBe(400)
        expect(body.error.message).toMatch(/^search: /)
      }
    }
  })
})
