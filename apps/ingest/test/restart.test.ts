/**
 * The embedded store is on disk: events stored before a restart are still there after it, and the
 * keys generated on first start keep working.
 */
import { describe, expect, it } from 'vitest'
import { startCliServer, tempDataDir } from './helpers.js'

const READ_COUNT = (url: string, key: string) =>
  fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      sentAt: new Date().toISOString(),
      batch: [
        {
          id: '6f1c1a52-8f7e-4d6f-9d1e-6b7a0c1d2e3f',
          type: 'track',
          event: 'search',
          userId: 'u_1',
        },
      ],
    }),
  }).then((r) => r.json())

describe('the CLI on embedded chDB', () => {
  it('prints its keys on first start and keeps events across a restart', async () => {
    const dir = tempDataDir()
    const first = await startCliServer({ LASTSEEN_DATA_DIR: dir })
    const writeKey = /write key \(default project\): (lsw_\S+)/.exec(first.output())?.[1]
    expect(writeKey).toBeDefined()
    expect(first.output()).toMatch(/read key {2}\(default project\): lsr_\S+/)
    expect(await READ_COUNT(first.url, writeKey!)).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [],
    })
    expect(await first.stop()).toBe(0)

    const second = await startCliServer({ LASTSEEN_DATA_DIR: dir })
    expect(second.output()).not.toMatch(/write key/)
    // Same event again: the store remembers it across the restart.
    expect(await READ_COUNT(second.url, writeKey!)).toEqual({
      accepted: 0,
      duplicates: 1,
      rejected: [],
    })
    expect(await second.stop()).toBe(0)
  })
})
