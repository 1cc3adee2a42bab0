/**
 * The group-commit writer on its own, on embedded chDB: how requests are grouped, answered and
 * refused. A failing store is one more materialized view that refuses some rows, as a full disk
 * refuses a part (see test/partial-insert.test.ts); dropping it is storage coming back.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { tempDataDir } from '../../../test/helpers.js'
import { readConfig } from '../../config.js'
import { Overloaded, StorageUnavailable, Unavailable } from '../../errors.js'
import { openStorage, type Storage } from '../../storage/client.js'
import { migrate } from '../../storage/migrations.js'
import { toRows } from '../event-rows.js'
import { EventWriter, type WriterOptions } from './writer.js'

let storage: Storage
beforeAll(async () => {
  storage = await openStorage(readConfig({ LASTSEEN_DATA_DIR: tempDataDir() }).clickhouse)
  await migrate(storage)
})
afterAll(async () => {
  await storage.close()
})

/**
 * The writer's clock (`Date.now`): real time, moved on by `skip` instead of waiting out a
 * backoff, or held at one instant by `hold` until the end of the test.
 */
const realNow = Date.now.bind(Date)
let offset = 0
let held: number | undefined
const skip = (ms: number) => {
  offset += ms
  if (held !== undefined) held += ms
}
const hold = () => {
  held = realNow() + offset
}
beforeAll(() => {
  vi.spyOn(Date, 'now').mockImplementation(() => held ?? realNow() + offset)
})
afterAll(() => {
  vi.restoreAllMocks()
})

/** What the writer logged (console.error) during the test. */
let logs: string[] = []
const consoleError = console.error
beforeEach(() => {
  logs = []
  console.error = (...args: unknown[]) => void logs.push(args.join(' '))
})
afterEach(() => {
  console.error = consoleError
  held = undefined
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Rows of `n` new track events of users `prefix_0…`, or of the given ids. */
function rows(
  prefix: string,
  n: number,
  ids = Array.from({ length: n }, () => crypto.randomUUID()),
) {
  const events = ids.map((id, index) => ({
    index,
    event: { id, type: 'track' as const, event: 'search', userId: `${prefix}_${index}` },
    properties: '',
  }))
  const timing = { sentAt: new Date().toISOString(), receivedAt: new Date() }
  return toRows('default', events, timing, 86_400_000).rows
}

/**
 * A writer, what it reported: the number of new events of each group it stored and how long
 * each took, refusals and failures. Groups start at once unless `base` says otherwise.
 */
function writer(
  options: WriterOptions = {},
  on = storage,
  base: WriterOptions = { minIntervalMs: 0, gatherMs: 0 },
) {
  const groups: number[] = []
  const seconds: number[] = []
  const refused: string[] = []
  let failed = 0
  const w = new EventWriter(on, {
    ...base,
    ...options,
    report: {
      refused: (reason) => void refused.push(reason),
      stored: (took, events) => {
        groups.push(events)
        seconds.push(took)
      },
      failed: () => void failed++,
    },
  })
  return { w, groups, seconds, refused, failures: () => failed }
}

/** `storage`, counting the lookups of stored ids in `event_ids`. */
function counting() {
  let lookups = 0
  const client = new Proxy(storage.client, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target)
      if (prop !== 'query') return typeof value === 'function' ? value.bind(target) : value
      return (params: { query: string }) => {
        if (/event_ids\s+WHERE project_id IN/.test(params.query)) lookups++
        return value.call(target, params)
      }
    },
  })
  return { storage: { ...storage, client } as Storage, lookups: () => lookups }
}

/** The error a write is refused with. */
const refusal = (write: Promise<unknown>) =>
  write.then(
    () => undefined,
    (err: unknown) => err,
  )

/** How many ids of users `prefix_…` `event_ids` and `events` hold. */
async function stored(prefix: string) {
  const db = storage.database
  const n = async (table: string) => {
    const result = await storage.client.query({
      query: `SELECT uniqExact(id) AS n FROM ${db}.${table} WHERE user_id LIKE '${prefix}\\_%'`,
      format: 'JSONEachRow',
    })
    return Number((await result.json<{ n: string }>())[0]?.n)
  }
  return { eventIds: await n('event_ids'), events: await n('events') }
}

/** Make inserts of users `prefix_…` fail until the returned function is called. */
async function failing(prefix: string): Promise<() => Promise<void>> {
  const db = storage.database
  const name = `fail_${prefix}`
  await storage.client.command({ query: `CREATE TABLE ${db}.${name}_sink (x UInt8) ENGINE = Null` })
  await storage.client.command({
    query: `CREATE MATERIALIZED VIEW ${db}.${name}_mv TO ${db}.${name}_sink AS
      SELECT throwIf(user_id LIKE '${prefix}\\_%', 'no space left on device') AS x
      FROM ${db}.events_in`,
  })
  return async () => {
    await storage.client.command({ query: `DROP VIEW ${db}.${name}_mv` })
  }
}

describe('the writer', () => {
  it('answers each request of a group with its own counts, and knows what is stored', async () => {
    const { w, groups } = writer()
    const a = rows('a', 3)
    const again = a[0]!
    const b = rows('b', 2)
    const [first, second] = await Promise.all([
      // A duplicate within the request, and one across requests of the same group.
      w.write([...a, again]),
      w.write([...b, again]),
    ])
    expect(first).toEqual({ accepted: 3, duplicates: 1 })
    expect(second).toEqual({ accepted: 2, duplicates: 1 })
    expect(groups).toEqual([5])
    // Stored lately: answered from memory.
    expect(await w.write(a)).toEqual({ accepted: 0, duplicates: 3 })
    await w.close()
    // Nothing failed, nothing to repair.
    expect(logs).toEqual([])

    // Another process (or a restart): found in the store, with or without the filter.
    for (const soleWriter of [false, true]) {
      const other = writer({ soleWriter })
      expect(await other.w.write([...a, ...rows('c', 1)])).toEqual({ accepted: 1, duplicates: 3 })
      expect(other.groups).toEqual([1])
      await other.w.close()
    }
  })

  it('answers an empty write at once, and refuses writes once closing', async () => {
    const { w, groups, refused } = writer()
    expect(await w.write([])).toEqual({ accepted: 0, duplicates: 0 })
    expect(groups).toEqual([])
    await w.close()
    const err = await refusal(w.write(rows('closed', 1)))
    expect(err).toBeInstanceOf(Unavailable)
    expect(err).toMatchObject({
      name: 'Unavailable',
      message: 'the service is shutting down; retry',
      retryAfterMs: 1000,
    })
    expect(refused).toEqual(['closing'])
  })

  it('refuses a write that would overfill the queue, but never a write alone', async () => {
    const { w, refused } = writer({ maxQueuedEvents: 10, minIntervalMs: 300 })
    // The first group starts at once; the next waits 300 ms, and with it what queues.
    const started = w.write(rows('q', 4))
    await sleep(20)
    const queued = w.write(rows('q', 8))
    const err = await refusal(w.write(rows('q', 3)))
    expect(err).toBeInstanceOf(Overloaded)
    expect(err).toMatchObject({
      message: 'too many events waiting to be stored; retry',
      retryAfterMs: 1000,
    })
    expect(refused).toEqual(['queue_full'])
    // Up to the bound itself.
    const filling = w.write(rows('q', 2))
    expect(w.state).toEqual({
      queuedEvents: 10,
      inFlightEvents: 4,
      queuedRequests: 2,
      available: true,
    })
    expect(await Promise.all([started, queued, filling])).toEqual([
      { accepted: 4, duplicates: 0 },
      { accepted: 8, duplicates: 0 },
      { accepted: 2, duplicates: 0 },
    ])
    expect(w.state).toMatchObject({ queuedEvents: 0, inFlightEvents: 0, queuedRequests: 0 })
    // However large, a write to an empty queue is taken.
    expect(await w.write(rows('q', 50))).toEqual({ accepted: 50, duplicates: 0 })
    await w.close()
  })

  it('groups whole requests up to maxGroupEvents, and one larger request alone', async () => {
    const { w, groups } = writer({ maxGroupEvents: 5, minIntervalMs: 100 })
    const first = w.write(rows('g', 1))
    await sleep(20)
    await Promise.all([first, ...[2, 3, 1, 7].map((n) => w.write(rows('g', n)))])
    // 1 at once; then 2 + 3 = 5 fits; 1 + 7 does not.
    expect(groups).toEqual([1, 5, 1, 7])
    await w.close()
  })

  it('starts groups at least minIntervalMs apart', async () => {
    const { w } = writer({ minIntervalMs: 400 })
    const start = Date.now()
    await w.write(rows('i', 1))
    await w.write(rows('i', 1))
    expect(Date.now() - start).toBeGreaterThanOrEqual(400)
    await w.close()
  })

  it('waits up to gatherMs for as many events as the last group had', async () => {
    // Long enough that a group going early (each insert takes a few hundred ms on a busy
    // machine) never looks like one that waited it out.
    const GATHER_MS = 2000
    const { w, groups } = writer({ gatherMs: GATHER_MS })
    await w.write(rows('h', 4))
    const start = Date.now()
    // One event waits for more; three more arrive and the group goes without waiting it out.
    const lone = w.write(rows('h', 1))
    await sleep(50)
    // Two are still too few.
    const second = w.write(rows('h', 1))
    await sleep(50)
    const more = w.write(rows('h', 2))
    await Promise.all([lone, second, more])
    expect(groups).toEqual([4, 4])
    expect(Date.now() - start).toBeLessThan(GATHER_MS * 0.75)
    // As many as the last group had: the group goes at once.
    const same = Date.now()
    await w.write(rows('h', 4))
    expect(Date.now() - same).toBeLessThan(GATHER_MS * 0.75)
    // Too few arrive: the group goes after gatherMs.
    const late = Date.now()
    await w.write(rows('h', 1))
    expect(Date.now() - late).toBeGreaterThanOrEqual(GATHER_MS - 10)
    expect(groups).toEqual([4, 4, 4, 1])
    await w.close()
  })

  it('answers a failed group and everything queued 503, then refuses writes for 1 s, 2 s', async () => {
    const restore = await failing('down')
    const { w, groups, refused, failures } = writer({ minIntervalMs: 200, maxGroupEvents: 2 })
    const failed = refusal(w.write(rows('down', 2)))
    const waiting = refusal(w.write(rows('ok', 2)))
    for (const err of [await failed, await waiting]) {
      expect(err).toBeInstanceOf(StorageUnavailable)
      expect(err).toMatchObject({ message: 'storage is unavailable', retryAfterMs: 1000 })
    }
    expect(failures()).toBe(1)
    expect(w.available).toBe(false)
    expect(w.state).toEqual({
      queuedEvents: 0,
      inFlightEvents: 0,
      queuedRequests: 0,
      available: false,
    })
    const down = await refusal(w.write(rows('ok', 1)))
    expect(down).toBeInstanceOf(StorageUnavailable)
    expect(down).toMatchObject({ message: 'storage is unavailable' })
    expect((down as StorageUnavailable).retryAfterMs).toBeGreaterThan(500)
    expect((down as StorageUnavailable).retryAfterMs).toBeLessThanOrEqual(1000)
    expect(refused).toEqual(['storage_down'])
    expect(logs[0]).toMatch(
      /^lastseen-ingest: storing 2 events failed; answering 503 for 1000 ms: .*no space left on device/,
    )

    skip(1000)
    expect(w.available).toBe(true)
    // Failing again: twice as long.
    expect(await refusal(w.write(rows('down', 1)))).toMatchObject({ retryAfterMs: 2000 })
    skip(1000)
    expect(w.available).toBe(false)
    await restore()
    skip(1000)
    expect(await w.write(rows('ok', 2))).toEqual({ accepted: 2, duplicates: 0 })
    expect(groups).toEqual([2])
    // A success resets the backoff: the next failure waits 1 s again.
    const again = await failing('again')
    expect(await refusal(w.write(rows('again', 1)))).toMatchObject({ retryAfterMs: 1000 })
    await again()
    skip(1000)
    await w.close()
  })

  it('completes the events of a failed insert after the next group, all but those stored meanwhile', async () => {
    const restore = await failing('lost')
    const { w, groups } = writer()
    const lost = rows('lost', 3)
    expect(await refusal(w.write(lost))).toBeInstanceOf(StorageUnavailable)
    expect((await stored('lost')).eventIds).toBe(0)
    await restore()
    skip(1000)
    // The sender retries one of them.
    expect(await w.write([lost[0]!])).toEqual({ accepted: 1, duplicates: 0 })
    expect(groups).toEqual([1])
    // Repaired after the group that followed, before the next one is taken.
    expect(await w.write(rows('next', 1))).toEqual({ accepted: 1, duplicates: 0 })
    expect(await stored('lost')).toEqual({ eventIds: 3, events: 3 })
    expect(logs).toContain(
      'lastseen-ingest: completed 2 events of failed inserts (1 were stored meanwhile)',
    )
    // A late retry is answered from memory.
    expect(await w.write(lost)).toEqual({ accepted: 0, duplicates: 3 })
    await w.close()
  })

  it('completes them on close once storage is back, and keeps trying while it is not', async () => {
    const restore = await failing('closing')
    const { w } = writer()
    const lost = rows('closing', 2)
    expect(await refusal(w.write(lost))).toBeInstanceOf(StorageUnavailable)
    skip(1000)
    // Storage still fails: the next group fails too, and the repair waits.
    expect(await refusal(w.write(rows('closing', 1)))).toMatchObject({ retryAfterMs: 2000 })
    await restore()
    skip(2000)
    await w.close()
    expect(await stored('closing')).toEqual({ eventIds: 3, events: 3 })
  })

  it('starts a group at once with no interval and gatherMs 0', async () => {
    hold()
    const { w } = writer()
    await w.write(rows('now', 2))
    // Fewer events than the last group, no time passed since it started: taken all the same.
    const next = w.write(rows('now', 1))
    for (let i = 0; i < 10; i++) await null
    expect(w.state).toMatchObject({ queuedEvents: 0, inFlightEvents: 1 })
    await next
    await w.close()
  })

  it('waits 50 ms between groups and 20 ms for more events, holds 100,000 events and groups 20,000, by default', async () => {
    const { w, groups } = writer({}, storage, {})
    // The clock stands still: the interval since the last group's start is never over by itself.
    hold()
    await w.write(rows('dflt', 2))
    const interval = w.write(rows('dflt', 2))
    await sleep(10)
    expect(w.state).toMatchObject({ queuedEvents: 2, inFlightEvents: 0 })
    await interval
    skip(1000)
    // Fewer events than the last group: the group waits for more.
    const gathering = w.write(rows('dflt', 1))
    await sleep(5)
    expect(w.state).toMatchObject({ queuedEvents: 1, inFlightEvents: 0 })
    await gathering
    const queued = w.write(rows('dflt', 1))
    const row = rows('dflt', 1)[0]!
    const err = await refusal(w.write(Array.from({ length: 100_000 }, () => row)))
    expect(err).toBeInstanceOf(Overloaded)
    await queued
    // Two requests of 10,001 events (one new, the rest resent) do not fit in one group.
    const half = Array.from({ length: 10_001 }, () => row)
    expect(await Promise.all([w.write(half), w.write(half)])).toEqual([
      { accepted: 1, duplicates: 10_000 },
      { accepted: 0, duplicates: 10_001 },
    ])
    expect(groups.slice(-2)).toEqual([1, 0])
    await w.close()
  })

  it('reports how long each group took', async () => {
    const { w, seconds } = writer()
    const started = performance.now()
    await w.write(rows('took', 2))
    const took = (performance.now() - started) / 1000
    expect(seconds).toHaveLength(1)
    expect(seconds[0]).toBeGreaterThanOrEqual(0)
    expect(seconds[0]).toBeLessThanOrEqual(took)
    await w.close()
  })

  it('works without a report', async () => {
    const w = new EventWriter(storage, { minIntervalMs: 0, gatherMs: 0, maxQueuedEvents: 2 })
    expect(await w.write(rows('quiet', 1))).toEqual({ accepted: 1, duplicates: 0 })
    const first = w.write(rows('quiet', 1))
    expect(await refusal(w.write(rows('quiet', 2)))).toBeInstanceOf(Overloaded)
    await first
    const restore = await failing('quiet')
    expect(await refusal(w.write(rows('quiet', 1)))).toBeInstanceOf(StorageUnavailable)
    expect(await refusal(w.write(rows('quiet', 1)))).toBeInstanceOf(StorageUnavailable)
    await restore()
    await w.close()
    expect(await refusal(w.write(rows('quiet', 1)))).toBeInstanceOf(Unavailable)
  })

  it('takes writes again exactly when the wait after a failure is over', async () => {
    hold()
    const restore = await failing('edge')
    const { w } = writer()
    expect(await refusal(w.write(rows('edge', 1)))).toMatchObject({ retryAfterMs: 1000 })
    await restore()
    skip(999)
    expect(w.available).toBe(false)
    expect(await refusal(w.write(rows('edge', 1)))).toMatchObject({ retryAfterMs: 1 })
    skip(1)
    expect(w.available).toBe(true)
    expect(await w.write(rows('edge', 1))).toEqual({ accepted: 1, duplicates: 0 })
    await w.close()
  })

  it('doubles the wait after each failure in a row up to 30 s', async () => {
    const restore = await failing('cap')
    const { w } = writer()
    const waits: number[] = []
    for (let i = 0; i < 7; i++) {
      waits.push(((await refusal(w.write(rows('cap', 1)))) as StorageUnavailable).retryAfterMs)
      skip(30_000)
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000])
    await restore()
    await w.close()
  })

  it('tries a repair after each of the next three groups, then gives up and says so', async () => {
    const restore = await failing('gone')
    const { w } = writer()
    expect(await refusal(w.write(rows('gone', 2)))).toBeInstanceOf(StorageUnavailable)
    skip(1000)
    // Storage takes other events, not these: three groups, three failed repairs.
    for (let i = 0; i < 3; i++) await w.write(rows('kept', 1))
    // A failing group is taken after the last repair, and none follows it.
    expect(await refusal(w.write(rows('gone', 1)))).toBeInstanceOf(StorageUnavailable)
    await restore()
    skip(1000)
    await w.close()
    // Only the last failed group was completed, on close (the given up ones reached `events`
    // before the insert failed: the tables disagree about them).
    expect((await stored('gone')).eventIds).toBe(1)
    const gaveUp = logs.filter((l) => l.includes('gave up'))
    expect(gaveUp).toHaveLength(1)
    expect(gaveUp[0]).toMatch(
      /^lastseen-ingest: gave up completing 2 events of a failed insert after 3 tries; tables may disagree about them until their senders retry: .*no space left on device/,
    )
  })

  it('still completes them at the third try, counting only repairs after a group stored', async () => {
    const restore = await failing('third')
    const { w } = writer()
    expect(await refusal(w.write(rows('third', 3)))).toBeInstanceOf(StorageUnavailable)
    skip(1000)
    for (let i = 0; i < 2; i++) await w.write(rows('kept', 1))
    // Taken after the second repair; a failed group is not followed by one.
    expect(await refusal(w.write(rows('third', 1)))).toBeInstanceOf(StorageUnavailable)
    await restore()
    skip(1000)
    expect(await w.write(rows('kept', 1))).toEqual({ accepted: 1, duplicates: 0 })
    await w.close()
    expect(await stored('third')).toEqual({ eventIds: 4, events: 4 })
  })

  it('leaves storage alone on close while it waits after a failure', async () => {
    const restore = await failing('held')
    const { w } = writer()
    expect(await refusal(w.write(rows('held', 2)))).toBeInstanceOf(StorageUnavailable)
    await restore()
    await w.close()
    expect((await stored('held')).eventIds).toBe(0)
  })

  it('keeps the rows of failed inserts up to maxQueuedEvents, dropping the oldest past it', async () => {
    const { w } = writer({ maxQueuedEvents: 4 })
    const fail = async (prefix: string, n: number) => {
      expect(await refusal(w.write(rows(prefix, n)))).toBeInstanceOf(StorageUnavailable)
      skip(30_000)
    }
    // A group, the repair after it, and the next group.
    const repaired = async () => {
      await w.write(rows('kept', 1))
      await w.write(rows('kept', 1))
    }
    // One failed insert larger than the bound is kept.
    let restore = await failing('big')
    await fail('big', 5)
    await restore()
    await repaired()
    expect(await stored('big')).toEqual({ eventIds: 5, events: 5 })
    // Two up to the bound itself are kept.
    restore = await failing('pair')
    await fail('pair', 2)
    await fail('pair', 2)
    await restore()
    await repaired()
    expect(await stored('pair')).toEqual({ eventIds: 4, events: 4 })
    // Past it, the oldest is dropped.
    const restoreOld = await failing('old')
    const restoreNew = await failing('new')
    await fail('old', 3)
    await fail('new', 2)
    // What was dropped no longer counts: two more fit.
    await fail('new', 2)
    await restoreOld()
    await restoreNew()
    await repaired()
    expect((await stored('old')).eventIds).toBe(0)
    expect(await stored('new')).toEqual({ eventIds: 4, events: 4 })
    expect(logs).toContain(
      'lastseen-ingest: 3 events of a failed insert will not be repaired (too many); tables may disagree about them until their senders retry',
    )
    await w.close()
  })

  it('does not wait for more events once closing', async () => {
    const { w, groups } = writer({ gatherMs: 5000, minIntervalMs: 200 })
    await w.write(rows('end', 4))
    // Waiting out the interval, then it would wait for more events than one.
    const last = w.write(rows('end', 1))
    const closing = Date.now()
    await w.close()
    expect(Date.now() - closing).toBeLessThan(2500)
    expect(await last).toEqual({ accepted: 1, duplicates: 0 })
    expect(groups).toEqual([4, 1])

    // Already waiting for more: woken by close.
    const other = writer({ gatherMs: 5000 })
    await other.w.write(rows('end', 4))
    const lone = other.w.write(rows('end', 1))
    await sleep(20)
    const woken = Date.now()
    await other.w.close()
    expect(Date.now() - woken).toBeLessThan(2500)
    expect(await lone).toEqual({ accepted: 1, duplicates: 0 })
  })

  it('looks up only the ids its index cannot vouch for', async () => {
    // Another process may write: new ids are looked up, ids stored lately are not.
    const shared = counting()
    const { w } = writer({}, shared.storage)
    const sent = rows('look', 3)
    expect(await w.write(sent)).toEqual({ accepted: 3, duplicates: 0 })
    expect(shared.lookups()).toBe(1)
    expect(await w.write(sent)).toEqual({ accepted: 0, duplicates: 3 })
    expect(shared.lookups()).toBe(1)
    await w.close()

    // The only writer: once its filter is loaded, new ids are not looked up; a resent one is.
    const sole = counting()
    const only = writer({ soleWriter: true }, sole.storage)
    let before = 0
    for (let i = 0; i < 100; i++) {
      before = sole.lookups()
      expect(await only.w.write(rows('look', 2))).toEqual({ accepted: 2, duplicates: 0 })
      if (sole.lookups() === before) break
      await sleep(20)
    }
    expect(sole.lookups()).toBe(before)
    expect(await only.w.write(sent)).toEqual({ accepted: 0, duplicates: 3 })
    expect(sole.lookups()).toBe(before + 1)
    await only.w.close()
  })

  it('has the views of a group insert write their tables side by side', async () => {
    // Two views that each take 0.75 s per event of the test, 1.5 s for its group of two: one
    // after the other they would take 3 s.
    const db = storage.database
    const slow = [1, 2].map((i) => `slow_${i}`)
    for (const name of slow) {
      await storage.client.command({
        query: `CREATE TABLE ${db}.${name}_sink (x UInt8) ENGINE = Null`,
      })
      await storage.client.command({
        query: `CREATE MATERIALIZED VIEW ${db}.${name}_mv TO ${db}.${name}_sink AS
          SELECT sleepEachRow(0.75) AS x FROM ${db}.events_in WHERE user_id LIKE 'slowview\\_%'`,
      })
    }
    try {
      const { w } = writer()
      const started = performance.now()
      expect(await w.write(rows('slowview', 2))).toEqual({ accepted: 2, duplicates: 0 })
      const took = performance.now() - started
      await w.close()
      expect(took).toBeGreaterThan(1400)
      expect(took).toBeLessThan(2700)
    } finally {
      for (const name of slow) {
        await storage.client.command({ query: `DROP VIEW ${db}.${name}_mv` })
        await storage.client.command({ query: `DROP TABLE ${db}.${name}_sink` })
      }
    }
  })

  it('has nothing to repair when the lookup failed before the insert', async () => {
    const { w } = writer()
    const db = storage.database
    await storage.client.command({ query: `RENAME TABLE ${db}.event_ids TO ${db}.event_ids_away` })
    try {
      expect(await refusal(w.write(rows('unread', 2)))).toBeInstanceOf(StorageUnavailable)
    } finally {
      await storage.client.command({
        query: `RENAME TABLE ${db}.event_ids_away TO ${db}.event_ids`,
      })
    }
    skip(1000)
    for (let i = 0; i < 4; i++) await w.write(rows('kept', 1))
    await w.close()
    // The failure, and no repair of any kind.
    expect(logs).toHaveLength(1)
    expect(logs[0]).toMatch(/^lastseen-ingest: storing 2 events failed/)
    expect((await stored('unread')).eventIds).toBe(0)
  })
})
