/**
 * The `lastseen-ingest` command line, run as users run it (child processes on embedded chDB):
 * help, migrations, keys for a second project (isolated from the first), revocation, and a
 * graceful SIGTERM that still stores and answers the request in flight.
 */
import { describe, expect, it } from 'vitest'
import { readConfig } from '../src/config.js'
import { openStorage } from '../src/storage/client.js'
import { runCli, startCliServer, tempDataDir, WRITE_KEY, waitUntil } from './helpers.js'

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
    const wrong = await runCli(['stat'], {})
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toMatch(/unknown command: stat/)
    const option = await runCli(['keys', 'list', '--projet', 'x'], {})
    expect(option.code).toBe(2)
    expect(option.stderr).toMatch(/--projet/)
  })

  it('migrates once, then says the schema is up to date', async () => {
    const env = { LASTSEEN_DATA_DIR: tempDataDir() }
    const first = await runCli(['migrate'], env)
    expect(first.stdout).toMatch(/applied migrations 1/)
    const second = await runCli(['migrate'], env)
    expect(second.stdout).toMatch(/schema is up to date/)
  })

  it('names a bad variable and exits 1', async () => {
    const bad = await runCli(['migrate'], { LASTSEEN_DATA_DIR: tempDataDir(), PORT: 'eighty' })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/PORT/)
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
    // The embedded store belongs to the running service: the CLI says so instead of failing obscurely.
    const busy = await runCli(['keys', 'list'], env)
    expect(busy.code).toBe(1)
    expect(busy.stderr).toMatch(/another process \(a running lastseen-ingest\?\) using it/)
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
