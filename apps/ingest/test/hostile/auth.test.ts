/**
 * Guessing keys, over real sockets: failed authentication is throttled per client address
 * (429 with `Retry-After`, before the key is looked at), while clients whose key works are never
 * slowed, other addresses are not affected, and the budget comes back. Keys set in the
 * environment must be long enough to be unguessable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, readConfig } from '../../src/config.js'
import type { RunningServer } from '../../src/server.js'
import { READ_KEY, runCli, startTestServer, tempDataDir, WRITE_KEY } from '../helpers.js'
import { raw } from './http.js'
import { expectAlive } from './support.js'

let server: RunningServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server?.close()
})

const batch = () =>
  JSON.stringify({
    sentAt: new Date().toISOString(),
    batch: [{ id: crypto.randomUUID(), type: 'seen', userId: 'u_guess' }],
  })

const write = (key: string, from?: string) =>
  raw(server.url, {
    path: '/v1/batch',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: batch(),
    ...(from ? { from } : {}),
  })

const read = (key: string, from?: string) =>
  raw(server.url, {
    method: 'GET',
    path: '/v1/active',
    headers: { authorization: `Bearer ${key}` },
    ...(from ? { from } : {}),
  })

const wrongKey = (i: number) => `lsw_${String(i).padStart(40, 'g')}`
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** `n` requests, `concurrency` at a time; their statuses. */
async function burst(
  n: number,
  concurrency: number,
  send: (i: number) => Promise<{ status: number }>,
) {
  const statuses: number[] = []
  for (let i = 0; i < n; i += concurrency) {
    const wave = Array.from({ length: Math.min(concurrency, n - i) }, (_, j) => send(i + j))
    for (const res of await Promise.all(wave)) statuses.push(res.status)
  }
  return statuses
}

describe('guessing keys', () => {
  it('is throttled: a burst of 200 wrong keys gets 429s, with Retry-After and the error body', async () => {
    // A client whose key works, from the same address, before the burst…
    expect((await write(WRITE_KEY)).status).toBe(200)
    const started = Date.now()
    const answers: Awaited<ReturnType<typeof write>>[] = []
    const working: number[] = []
    await burst(200, 20, async (i) => {
      // …and during it, once a wave.
      if (i % 20 === 0) working.push((await write(WRITE_KEY)).status)
      const res = await write(wrongKey(i))
      answers.push(res)
      return res
    })
    const elapsed = Date.now() - started
    const refused = answers.filter((a) => a.status === 429)
    const checked = answers.filter((a) => a.status === 401)
    // About one burst (20) plus 20 a second are looked at; the rest are refused unchecked. On a
    // quiet machine the burst takes well under a second, so most of the 200 are refused; a
    // busy machine that stretches it gives the address more tokens, and no fewer refusals
    // than the budget leaves.
    const budget = 20 + Math.ceil((elapsed / 1000) * 20) + 20
    expect(checked.length).toBeLessThanOrEqual(budget)
    expect(refused.length).toBeGreaterThanOrEqual(Math.min(100, 200 - budget))
    expect(checked.length + refused.length).toBe(200)
    for (const res of refused) {
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1)
      expect(JSON.parse(res.body)).toMatchObject({
        error: { code: 'rate_limited', message: expect.stringMatching(/failed authentication/) },
      })
    }
    // The working client was never slowed: its key already worked from this address.
    expect(working).toEqual(Array(10).fill(200))

    // The read API and the dashboard's sign-in share the address's budget (a token comes back
    // every 50 ms, so a few of these are looked at).
    const reads = await Promise.all(
      Array.from({ length: 40 }, (_, i) => read(`lsr_${String(i).padStart(40, 'h')}`)),
    )
    expect(reads.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(20)
    const signIns = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        raw(server.url, {
          path: '/session',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `key=lsr_${String(i).padStart(40, 'h')}`,
        }),
      ),
    )
    const throttledSignIns = signIns.filter((r) => r.status === 429)
    expect(throttledSignIns.length).toBeGreaterThanOrEqual(20)
    for (const res of throttledSignIns) {
      expect(res.headers['retry-after']).toBeDefined()
      expect(res.body).toMatch(/too many failed authentication attempts/)
    }

    // Another address is not affected: its whole burst is looked at, even right after this
    // address has spent its own.
    await Promise.all(Array.from({ length: 40 }, (_, i) => write(wrongKey(i))))
    const elsewhere = await Promise.all(
      Array.from({ length: 20 }, (_, i) => write(wrongKey(i), '127.0.0.2')),
    )
    expect(elsewhere.map((r) => r.status)).toEqual(Array(20).fill(401))

    // After Retry-After, a wrong key is looked at (and refused) again.
    await sleep(1_100)
    expect((await write(wrongKey(1))).status).toBe(401)
    await expectAlive(server.url)
  })

  it('never slows a client whose key works, however many requests it sends', async () => {
    const statuses = await burst(200, 20, () => read(READ_KEY, '127.0.0.3'))
    expect(new Set(statuses)).toEqual(new Set([200]))
    await expectAlive(server.url)
  })

  it('does not count a request without a key, or a right key used for the wrong thing', async () => {
    const statuses = await burst(60, 20, (i) =>
      i % 2 === 0
        ? raw(server.url, { path: '/v1/batch', body: batch(), from: '127.0.0.4' })
        : write(READ_KEY, '127.0.0.4'),
    )
    expect(statuses.filter((s) => s === 429)).toEqual([])
    expect(new Set(statuses)).toEqual(new Set([401, 403]))
    // The address's whole budget is still there.
    const wrong = await Promise.all(
      Array.from({ length: 20 }, (_, i) => write(wrongKey(i), '127.0.0.4')),
    )
    expect(wrong.map((r) => r.status)).toEqual(Array(20).fill(401))
    await expectAlive(server.url)
  })
})

describe('keys set in the environment', () => {
  const material = (n: number) => 'Ab3_'.repeat(16).slice(0, n)

  it('must have 32 characters or more after the prefix', async () => {
    for (const [name, prefix] of [
      ['LASTSEEN_WRITE_KEY', 'lsw_'],
      ['LASTSEEN_READ_KEY', 'lsr_'],
    ] as const) {
      expect(() => readConfig({ [name]: `${prefix}${material(31)}` })).toThrow(ConfigError)
      expect(() => readConfig({ [name]: `${prefix}${material(31)}` })).toThrow(
        new RegExp(`${name}: .*32.*openssl rand`),
      )
      expect(readConfig({ [name]: `${prefix}${material(32)}` })).toBeDefined()
    }
    // The test keys themselves pass.
    expect(readConfig({ LASTSEEN_WRITE_KEY: WRITE_KEY, LASTSEEN_READ_KEY: READ_KEY })).toBeDefined()
    await expectAlive(server.url)
  })

  it('stop the service at start with a message that says how to make one', async () => {
    const short = await runCli(['start'], {
      LASTSEEN_DATA_DIR: tempDataDir(),
      PORT: '0',
      LASTSEEN_READ_KEY: 'lsr_0123456789abcdef',
    })
    expect(short.code).toBe(1)
    expect(short.stderr).toMatch(/LASTSEEN_READ_KEY/)
    expect(short.stderr).toMatch(/openssl rand -hex 24/)
    await expectAlive(server.url)
  })
})
