/**
 * The `lastseen-ingest` command line, run as users run it (child processes on embedded chDB):
 * help, migrations, keys for a second project (isolated from the first), revocation, and a
 * graceful SIGTERM that still stores and answers the request in flight.
 */
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readConfig } from '../src/config.js'
import { openStorage } from '../src/storage/client.js'
import {
  expectOneLine,
  runCli,
  startCliServer,
  tempDataDir,
  WRITE_KEY,
  waitUntil,
} from './helpers.js'

const ingestVersion = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
).version

const batch = (events: unknown[]) =>
  JSON.stringify({ sentAt: new Date().toISOString(), batch: events })
const track = (id: string, userId: string) => ({ id, type: 'track', event: 'search', userId })

function post(url: string, key: string, events: unknown[]) {
  return fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: batch(events),
  })
}

describe('lastseen-ingest', () => {
  it('prints help for the service and for keys', async () => {
    const help = await runCli(['--help'], {})
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/lastseen-ingest start/)
    expect(help.stdout).toMatch(/lastseen-ingest migrate/)
    const keys = await runCli(['keys', '--help'], {})
    expect(keys.stdout).toMatch(/keys revoke <key-or-prefix>/)
    // On the default (embedded) setup the commands go through the running service.
    expect(keys.stdout).toMatch(/also while the service runs[\s\S]*control\.sock/)
    const start = await runCli(['start', '--help'], {})
    expect(start.stdout).toMatch(/--port <n>[\s\S]*--host <address>[\s\S]*--data-dir <dir>/)
    expect((await runCli(['migrate', '-h'], {})).stdout).toMatch(
      /lastseen-ingest migrate \[--data-dir/,
    )
    const version = await runCli(['--version'], {})
    expect(version).toEqual({ code: 0, stdout: `${ingestVersion}\n`, stderr: '' })
  })

  it('says each command-line mistake in one line and exits 1', async () => {
    const mistakes: [string[], RegExp][] = [
      [['stat'], /^unknown command: stat; see lastseen-ingest --help$/],
      [
        ['keys', 'list', '--projet', 'x'],
        /^keys: unknown option '--projet'; see lastseen-ingest keys --help$/,
      ],
      [
        ['start', '--prot', '1'],
        /^unknown option --prot for start; see lastseen-ingest start --help$/,
      ],
      [
        ['migrate', '--port', '1'],
        /^migrate does not take --port; see lastseen-ingest migrate --help$/,
      ],
      [['start', '--port'], /^--port needs a value/],
      [['migrate', 'now'], /^migrate takes no argument \(got now\)/],
    ]
    const results = await Promise.all(mistakes.map(([args]) => runCli(args, {})))
    for (const [i, [, line]] of mistakes.entries()) {
      expectOneLine(results[i] as (typeof results)[0], line)
    }
  })

  it('migrates once, then says the schema is up to date', async () => {
    const env = { LASTSEEN_DATA_DIR: tempDataDir() }
    const first = await runCli(['migrate'], env)
    expect(first.stdout).toMatch(/applied migrations 1/)
    const second = await runCli(['migrate'], env)
    expect(second.stdout).toMatch(/schema is up to date/)
  })

  it('names a bad variable, or the flag that set it, in one line and exits 1', async () => {
    const bad = await runCli(['start'], { LASTSEEN_DATA_DIR: tempDataDir(), PORT: 'eighty' })
    expectOneLine(bad, /^invalid configuration: PORT: a port number from 0 to 65535/)
    // The flag wins over the variable, and is the one named when it is wrong.
    const flag = await runCli(['start', '--port', '70000'], { PORT: '3000' })
    expectOneLine(flag, /^invalid configuration: --port: a port number/)
    const two = await runCli(['start'], { LASTSEEN_FSYNC: 'maybe', LASTSEEN_MAX_QUEUE: '5' })
    expectOneLine(
      two,
      /LASTSEEN_MAX_QUEUE: .*; LASTSEEN_FSYNC: 'on' or 'off'|LASTSEEN_FSYNC: 'on' or 'off'; LASTSEEN_MAX_QUEUE/,
    )
    // The details are there for whoever asks.
    const debug = await runCli(['migrate'], { PORT: 'eighty', LASTSEEN_DEBUG: '1' })
    expect(debug.code).toBe(1)
    expect(debug.stderr).toMatch(/\n\s+at /)
  })

  it('creates keys for a second project whose writes stay apart, and revokes them', async () => {
    const dir = tempDataDir()
    const env = { LASTSEEN_DATA_DIR: dir, LASTSEEN_WRITE_KEY: WRITE_KEY }
    const created = await runCli(['keys', 'create', 'acme', '--name', 'web'], env)
    expect(created.code).toBe(0)
    const acmeKey = /write key \(acme\): (lsw_\S+)/.exec(created.stdout)?.[1] as string
    expect(acmeKey.length).toBeGreaterThanOrEqual(4 + 32)
    expect(created.stdout).toMatch(/read key {2}\(acme\): lsr_\S+/)

    const server = await startCliServer(env)
    // The embedded store belongs to the running service: keys commands go through it, and it
    // takes a new key, and refuses a revoked one, at once.
    const busy = await runCli(['keys', 'list'], env)
    expect(busy.code).toBe(0)
    expect(busy.stdout).toMatch(/lsw_\S{4}\s+acme\s+write/)
    expect(busy.stderr).not.toMatch(/Code: 76|Cannot lock/)
    // Only the service's user may use it: its keys read every event.
    expect(statSync(join(dir, 'control.sock')).mode & 0o777).toBe(0o600)
    const beta = await runCli(['keys', 'create', 'beta', '--kind', 'write'], env)
    const betaKey = /write key \(beta\): (lsw_\S+)/.exec(beta.stdout)?.[1] as string
    expect((await post(server.url, betaKey, [track(crypto.randomUUID(), 'u_b')])).status).toBe(200)
    const gone = await runCli(['keys', 'revoke', betaKey.slice(0, 8)], env)
    expect(gone.stdout).toMatch(`revoked write key ${betaKey.slice(0, 8)}… of project beta`)
    expect((await post(server.url, betaKey, [track(crypto.randomUUID(), 'u_b')])).status).toBe(401)
    expect((await runCli(['keys', 'revoke', betaKey.slice(0, 8)], env)).stderr).toMatch(
      /no live key matches/,
    )
    const id = crypto.randomUUID()
    // The same event id in two projects is two events: each project dedupes on its own.
    expect(await (await post(server.url, WRITE_KEY, [track(id, 'u_default')])).json()).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [],
    })
    expect(await (await post(server.url, acmeKey, [track(id, 'u_acme')])).json()).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [],
    })
    expect(await server.stop()).toBe(0)

    const storage = await openStorage(readConfig({ LASTSEEN_DATA_DIR: dir }).clickhouse)
    const rows = await (
      await storage.client.query({
        query: `SELECT project_id, user_id FROM ${storage.database}.events ORDER BY project_id`,
        format: 'JSONEachRow',
      })
    ).json()
    await storage.close()
    expect(rows).toEqual([
      { project_id: 'acme', user_id: 'u_acme' },
      { project_id: 'beta', user_id: 'u_b' },
      { project_id: 'default', user_id: 'u_default' },
    ])

    const list = await runCli(['keys', 'list', '--project', 'acme'], env)
    // Four characters of the key in clear, no more.
    expect(list.stdout).toMatch(/lsw_\S{4}\s+acme\s+write/)
    expect(list.stdout).not.toContain(acmeKey.slice(0, 9))
    const prefix = acmeKey.slice(0, 8)
    const revoked = await runCli(['keys', 'revoke', prefix], env)
    expect(revoked.stdout).toMatch(`revoked write key ${prefix}… of project acme`)
    expect((await runCli(['keys', 'revoke', prefix], env)).stderr).toMatch(/no live key matches/)

    const again = await startCliServer(env)
    expect((await post(again.url, acmeKey, [track(crypto.randomUUID(), 'u')])).status).toBe(401)
    expect(await again.stop()).toBe(0)
  })

  it('on SIGTERM stores and answers the request in flight, then exits 0', async () => {
    const dir = tempDataDir()
    // Inserts at most every 3 s: the second request surely waits in the queue at SIGTERM.
    const env = {
      LASTSEEN_DATA_DIR: dir,
      LASTSEEN_WRITE_KEY: WRITE_KEY,
      LASTSEEN_INSERT_INTERVAL: '3s',
    }
    const server = await startCliServer(env)
    expect((await post(server.url, WRITE_KEY, [track(crypto.randomUUID(), 'u_1')])).status).toBe(
      200,
    )
    const events = Array.from({ length: 100 }, () => track(crypto.randomUUID(), 'u_2'))
    const inFlight = post(server.url, WRITE_KEY, events)
    await waitUntil(
      async () =>
        /^lastseen_queue_requests 1$/m.test(await (await fetch(`${server.url}/metrics`)).text()),
      'one request queued',
      { timeoutMs: 2500, intervalMs: 10 },
    )
    const exited = server.stop()
    const answer = await inFlight
    expect(answer.status).toBe(200)
    expect(await answer.json()).toEqual({ accepted: 100, duplicates: 0, rejected: [] })
    expect(await exited).toBe(0)
    expect(server.output()).toMatch(/SIGTERM: no new requests/)

    const restarted = await startCliServer(env)
    expect(await (await post(restarted.url, WRITE_KEY, events)).json()).toEqual({
      accepted: 0,
      duplicates: 100,
      rejected: [],
    })
    expect(await restarted.stop()).toBe(0)
  })
})
