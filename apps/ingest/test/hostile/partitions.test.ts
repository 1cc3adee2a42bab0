/**
 * A write key backfilling ten years of history at once must not exhaust the disk's inodes.
 *
 * Every table used to be partitioned by the month of the event, so one group of events spread
 * over 120 months wrote a data part (a directory of about a dozen files) into 120 partitions
 * of each of four tables: 32 such requests took 121,000 inodes. Now one group writes one part
 * per table (two for `events` when it straddles a month end), whatever its timestamps.
 *
 * Real service on a real socket, embedded chDB; the files are counted on disk, and every event
 * is read back through the read API, exactly once.
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addDays, dayOf } from '../../src/insights/days.js'
import type { RunningServer } from '../../src/server.js'
import { READ_KEY, startTestServer, WRITE_KEY } from '../helpers.js'
import { expectAlive } from './support.js'

const REQUESTS = 10
const EVENTS = 1000
const MONTHS = 120
/** What ten such requests may add: a few thousand inodes, not 40,000. */
const MAX_NEW_INODES = 3000

let server: RunningServer
beforeAll(async () => {
  server = await startTestServer({ LASTSEEN_RATE_LIMIT: '0' })
})
afterAll(async () => {
  await server?.close()
})

/** Files and directories under `dir`: what the filesystem spends an inode on. */
function inodes(dir: string): number {
  let n = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    n++
    if (entry.isDirectory()) n += inodes(join(dir, entry.name))
  }
  return n
}

const now = Date.now()
/** Event `i` of a request happened `i % 120` months (of 30.4 days) ago, at noon. */
const dayOfEvent = (i: number) => addDays(dayOf(now), -Math.round((i % MONTHS) * 30.4) - 1)

function backfill(request: number) {
  return Array.from({ length: EVENTS }, (_, i) => ({
    id: crypto.randomUUID(),
    type: 'track',
    event: 'search',
    userId: `u_${request}_${i % 50}`,
    accountId: 'acme',
    timestamp: `${dayOfEvent(i)}T12:00:00.000Z`,
  }))
}

async function readJson<T>(path: string): Promise<T> {
  const res = await fetch(`${server.url}${path}`, {
    headers: { authorization: `Bearer ${READ_KEY}` },
  })
  expect(res.status).toBe(200)
  return (await res.json()) as T
}

describe('a backfill spread over ten years', () => {
  it('adds a bounded number of files, and every event is counted once', async () => {
    const dataDir = server.storage.location
    const before = inodes(dataDir)
    for (let r = 0; r < REQUESTS; r++) {
      const res = await fetch(`${server.url}/v1/batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${WRITE_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sentAt: new Date().toISOString(), batch: backfill(r) }),
      })
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual({ accepted: EVENTS, duplicates: 0, rejected: [] })
    }
    const added = inodes(dataDir) - before
    console.info(`${REQUESTS} requests of ${EVENTS} events over ${MONTHS} months: +${added} inodes`)
    expect(added).toBeLessThan(MAX_NEW_INODES)

    // The read API spans at most 731 days a query: count the ten years in windows.
    const perDay = new Map<string, number>()
    for (let i = 0; i < EVENTS; i++) {
      perDay.set(dayOfEvent(i), (perDay.get(dayOfEvent(i)) ?? 0) + REQUESTS)
    }
    let total = 0
    for (let to = dayOf(now); to > addDays(dayOf(now), -3700); to = addDays(to, -731)) {
      const from = addDays(to, -730)
      const answer = await readJson<{
        events: { event: string; count: number; days: { date: string; count: number }[] }[]
      }>(`/v1/events?from=${from}&to=${to}`)
      for (const e of answer.events) {
        total += e.count
        for (const d of e.days) expect([d.date, d.count]).toEqual([d.date, perDay.get(d.date)])
      }
    }
    expect(total).toBe(REQUESTS * EVENTS)
    // Each user's ten years, from the per-user aggregates.
    const days = Array.from({ length: EVENTS }, (_, i) => i).filter((i) => i % 50 === 0)
    const user = await readJson<{ firstSeen: string; lastSeen: string }>('/v1/users/u_0_0')
    expect(user.firstSeen.slice(0, 10)).toBe(days.map(dayOfEvent).sort()[0])
    expect(user.lastSeen.slice(0, 10)).toBe(dayOfEvent(0))
    await expectAlive(server.url)
  })
})
