/**
 * When the scheduler starts a send, with a real queue, fake timers and sends that stay in flight
 * until the test settles them.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Config } from '../config.js'
import type { Platform } from '../platform/platform.js'
import { createQueue } from './queue.js'
import { createScheduler } from './scheduler.js'

const platform = {
  setTimer: (fn: () => void, ms: number) => setTimeout(fn, ms),
  clearTimer: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
} as Platform

/** A scheduler whose sends take `perSend` events each and stay in flight until settled. */
function harness(options: Partial<Config> = {}, perSend = Number.POSITIVE_INFINITY) {
  const config = {
    debounceMs: 500,
    maxWaitMs: 2000,
    flushAt: 10,
    maxBatchBytes: 100_000,
    ...options,
  } as Config
  const start = Date.now()
  const queue = createQueue(1000)
  const sends: { at: number; ids: string[] }[] = []
  let inFlight = 0
  const scheduler = createScheduler(
    config,
    platform,
    queue,
    () => inFlight,
    () => {
      const items = queue.take(perSend, Number.POSITIVE_INFINITY)
      sends.push({ at: Date.now() - start, ids: items.map((i) => i.id) })
      inFlight++
    },
  )
  let n = 0
  /** Track one event of `bytes` bytes now. */
  const add = (bytes = 10) => {
    scheduler.arrived(Date.now())
    queue.push({ id: `e${n++}`, json: '{}', bytes })
    scheduler.pump(false)
  }
  /** Every send in flight is answered. */
  const settleAll = () => {
    inFlight = 0
    scheduler.pump(false)
  }
  return { scheduler, queue, sends, add, settleAll }
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('the scheduler', () => {
  it('sends at once when the queued bytes reach maxBatchBytes', () => {
    const { sends, add } = harness({ maxBatchBytes: 100 })
    add(50)
    expect(sends).toHaveLength(0)
    add(50)
    expect(sends).toEqual([{ at: 0, ids: ['e0', 'e1'] }])
  })

  it('arms one timer, however many events arrive before it fires', async () => {
    const { sends, add } = harness()
    for (let i = 0; i < 3; i++) add()
    expect(vi.getTimerCount()).toBe(1)
    await vi.advanceTimersByTimeAsync(500)
    expect(sends).toEqual([{ at: 500, ids: ['e0', 'e1', 'e2'] }])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('holds full batches while paused, and sends them from the moment the pause ends', async () => {
    const { scheduler, sends, add } = harness()
    scheduler.pause(1000)
    for (let i = 0; i < 10; i++) add()
    expect(sends).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1000)
    expect(sends).toEqual([{ at: 1000, ids: expect.any(Array) }])

    // A full batch that arrives exactly when a pause ends goes at once, not on the next timer.
    const other = harness()
    other.scheduler.pause(1000)
    await vi.advanceTimersByTimeAsync(1000)
    for (let i = 0; i < 10; i++) other.add()
    expect(other.sends).toHaveLength(1)
  })

  it('sends as usual again once resumed', () => {
    const { scheduler, sends, add } = harness()
    scheduler.pause(10_000)
    scheduler.resume()
    for (let i = 0; i < 10; i++) add()
    expect(sends).toHaveLength(1)
  })

  it('keeps two sends in flight, runs no timer meanwhile, and gives the rest a new maxWait', async () => {
    // Each send takes one event; a new event every 300 ms never lets the debounce fire.
    const { sends, add, settleAll } = harness({}, 1)
    for (let t = 0; t <= 1800; t += 300) {
      add()
      await vi.advanceTimersByTimeAsync(t === 1800 ? 200 : 300)
    }
    // maxWait after the oldest: two sends, then nothing while both are in flight.
    expect(sends.map((s) => s.at)).toEqual([2000, 2000])
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(100)
    settleAll()
    // What is left waits as if it had arrived at the last send (the debounce of the latest
    // event, at 2300, comes first), not for the maxWait of the events already sent.
    await vi.advanceTimersByTimeAsync(199)
    expect(sends).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(sends.map((s) => s.at)).toEqual([2000, 2000, 2300, 2300])
    // Each answer lets the next two go, already overdue.
    settleAll()
    await vi.advanceTimersByTimeAsync(0)
    settleAll()
    await vi.advanceTimersByTimeAsync(0)
    expect(sends.map((s) => s.at)).toEqual([2000, 2000, 2300, 2300, 2300, 2300, 2300])
    settleAll()
    // Nothing queued: no timer left running.
    expect(vi.getTimerCount()).toBe(0)
  })

  it('waits debounceMs for events put back as new, and sends others by their first arrival', async () => {
    const asNew = harness()
    asNew.add()
    await vi.advanceTimersByTimeAsync(500)
    expect(asNew.sends).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(500)
    // The send failed at 1000: its events go back to the front.
    asNew.queue.unshift([{ id: 'back', json: '{}', bytes: 10 }])
    asNew.scheduler.requeued(true)
    asNew.settleAll()
    await vi.advanceTimersByTimeAsync(499)
    expect(asNew.sends).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(asNew.sends[1]).toEqual({ at: 1500, ids: ['back'] })

    const old = harness({ debounceMs: 500, maxWaitMs: 800 })
    old.add()
    await vi.advanceTimersByTimeAsync(500)
    await vi.advanceTimersByTimeAsync(500)
    old.queue.unshift([{ id: 'back', json: '{}', bytes: 10 }])
    old.scheduler.requeued(false)
    old.settleAll()
    // Not as new: the latest arrival (0) is long past its debounce, and the maxWait counts
    // from now: 1000 + 800 would be later, so the debounce decides: at once.
    await vi.advanceTimersByTimeAsync(0)
    expect(old.sends[1]).toEqual({ at: 1000, ids: ['back'] })
  })

  it('arms no new timer when it fires on a queue emptied meanwhile', async () => {
    // Armed at 0 for 500; a later event moves the due time to 800; then a flush takes
    // everything before the timer fires.
    const { queue, sends, add } = harness()
    add()
    await vi.advanceTimersByTimeAsync(300)
    add()
    queue.take(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY)
    await vi.advanceTimersByTimeAsync(200)
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(1000)
    expect(sends).toHaveLength(0)
  })

  it('stops its timer', async () => {
    const { scheduler, sends, add } = harness()
    add()
    expect(vi.getTimerCount()).toBe(1)
    scheduler.stop()
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(5000)
    expect(sends).toHaveLength(0)
  })
})
