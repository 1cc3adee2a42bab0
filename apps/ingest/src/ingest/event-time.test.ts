import { describe, expect, it } from 'vitest'
import { EventFlags, eventTime, skewCorrection } from './event-time.js'

const received = Date.parse('2026-11-23T12:00:00.000Z')
const TEN_YEARS = 3650 * 86_400_000
const minutes = (n: number) => n * 60_000

describe('skewCorrection', () => {
  it('leaves small skew alone', () => {
    expect(skewCorrection(received - minutes(7), received)).toBe(0)
    expect(skewCorrection(received + minutes(7), received)).toBe(0)
  })

  it('corrects large skew in whole quarter hours, the same for every retry', () => {
    // The client's clock is 3 h 2 min behind; two attempts with different network delays.
    const firstTry = skewCorrection(received - minutes(182) - 80, received)
    const retry = skewCorrection(received + 30_000 - minutes(182) - 2_500, received + 30_000)
    expect(firstTry).toBe(minutes(180))
    expect(retry).toBe(firstTry)
    expect(skewCorrection(received + minutes(60), received)).toBe(-minutes(60))
  })
})

describe('eventTime', () => {
  it('keeps the client time when the clock is right', () => {
    expect(eventTime('2026-11-23T11:59:00.000Z', 0, received, TEN_YEARS)).toEqual({
      at: received - minutes(1),
      flags: 0,
      clientTimestamp: received - minutes(1),
    })
  })

  it('uses the receive time, flagged, when there is no timestamp', () => {
    expect(eventTime(undefined, 0, received, TEN_YEARS)).toEqual({
      at: received,
      flags: EventFlags.noTimestamp,
      clientTimestamp: null,
    })
  })

  it('applies the correction and flags it, keeping the client value', () => {
    const t = eventTime('2026-11-23T08:58:00.000Z', minutes(180), received, TEN_YEARS)
    expect(t).toEqual({
      at: received - minutes(2),
      flags: EventFlags.skewCorrected,
      clientTimestamp: Date.parse('2026-11-23T08:58:00.000Z'),
    })
  })

  it('clamps a time far in the future to the receive time, flagged', () => {
    const t = eventTime('2027-01-01T00:00:00.000Z', 0, received, TEN_YEARS)
    expect(t).toMatchObject({ at: received, flags: EventFlags.clampedFuture })
    // A few minutes ahead is not "far": kept.
    expect(eventTime('2026-11-23T12:05:00.000Z', 0, received, TEN_YEARS)).toMatchObject({
      at: received + minutes(5),
      flags: 0,
    })
  })

  it('accepts backfills inside the late-event window and rejects older ones', () => {
    expect(eventTime('2019-03-01T00:00:00Z', 0, received, TEN_YEARS)).toMatchObject({ flags: 0 })
    expect(eventTime('2010-03-01T00:00:00Z', 0, received, TEN_YEARS)).toEqual({
      rejected: expect.stringContaining('late-event window of 3650 days'),
    })
  })
})
