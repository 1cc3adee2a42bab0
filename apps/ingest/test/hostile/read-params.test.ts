/**
 * Hostile read parameters: far-future and far-past days, huge durations and offsets. Each gets
 * a 400 that names the allowed range, and the service keeps answering.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/server.js'
import { READ_KEY, startTestServer } from '../helpers.js'
import { expectAlive } from './support.js'

let server: RunningServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

const get = (path: string) =>
  fetch(`${server.url}${path}`, {
    headers: { authorization: `Bearer ${READ_KEY}` },
    signal: AbortSignal.timeout(10_000),
  })

describe('read parameters out of range', () => {
  it.each([
    ['/v1/active?to=9999-12-31', 'to', '2099-12-31'],
    ['/v1/active?from=0000-01-01', 'from', '1971-01-01'],
    ['/v1/active?from=1969-12-31&to=1970-01-30', 'from', '1971-01-01'],
    ['/v1/active?to=2100-01-01&interval=week', 'to', '2099-12-31'],
    ['/v1/events?to=9999-12-31', 'to', '2099-12-31'],
    ['/v1/frequency?to=9999-12-31', 'to', '2099-12-31'],
    ['/v1/summary?to=9999-12-31', 'to', '2099-12-31'],
    ['/v1/summary?from=1970-06-01', 'from', '1971-01-01'],
    ['/v1/frequency?to=0001-01-01', 'to', '1971-01-01'],
    ['/v1/inactive?after=999999d', 'after', '3650d'],
    ['/v1/inactive?after=99999999999d', 'after', '3650d'],
    ['/v1/inactive?after=9999999999999999999999m', 'after', '3650d'],
    ['/v1/inactive?offset=1e300', 'offset', '1000000'],
    ['/v1/inactive?limit=1e300', 'limit', '1000'],
  ])('%s is a 400 naming %s and the allowed range', async (path, name, bound) => {
    const res = await get(path)
    const body = (await res.json()) as { error: { code: string; message: string } }
    expect(res.status).toBe(400)
    expect(body.error.code).toBe('bad_request')
    expect(body.error.message).toContain(`${name}:`)
    expect(body.error.message).toContain(bound)
    await expectAlive(server.url)
  })

  it('answers the last allowed days and the longest span', async () => {
    for (const path of [
      '/v1/active?to=2099-12-31',
      '/v1/active?from=1971-01-01&to=1971-03-01',
      '/v1/active?from=2098-01-01&to=2099-12-31&interval=week',
      '/v1/active?from=2098-01-01&to=2099-12-31&interval=month',
      '/v1/events?from=1971-01-01&to=1972-12-31',
      '/v1/frequency?to=1971-12-31&weeks=52',
      // The two periods before it would start before 1970: they are empty, not an error.
      '/v1/summary?from=1971-01-01&to=1972-12-31',
      '/v1/summary?from=2098-01-01&to=2099-12-31',
      '/v1/inactive?after=3650d&offset=1000000',
    ]) {
      const res = await get(path)
      expect(res.status, path).toBe(200)
    }
    await expectAlive(server.url)
  })
})
