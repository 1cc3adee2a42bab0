/**
 * An operator's mistakes, made as operators make them (the CLI in a child process, real sockets,
 * real directories, a real ClickHouse-HTTP server): each ends in one line — what, why, what to
 * do — and exit code 1; keys generated before the mistake are not lost; the start line says
 * where the service really listens; `/metrics` can require a token.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectOneLine, runCli, startCliServer, tempDataDir } from './helpers.js'
import { type ClickHouseTestServer, startClickHouseServer } from './support/clickhouse-server.js'

/** A port held by another process (here: a plain socket server in this one). */
async function takePort(): Promise<{ port: number; server: Server }> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { port: (server.address() as { port: number }).port, server }
}

const batch = (userId: string) =>
  JSON.stringify({
    sentAt: new Date().toISOString(),
    batch: [{ id: crypto.randomUUID(), type: 'track', event: 'search', userId }],
  })

describe('operator mistakes', () => {
  it('port in use: one line, and the keys of that first start were printed and still work', async () => {
    const { port, server } = await takePort()
    const dir = tempDataDir()
    const taken = await runCli(['start', '--port', String(port), '--host', '127.0.0.1'], {
      LASTSEEN_DATA_DIR: dir,
    })
    server.close()
    expectOneLine(
      taken,
      new RegExp(
        `^cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use by another process; .*--port`,
      ),
    )
    const writeKey = /write key \(default project\): (lsw_\S+)/.exec(taken.stdout)?.[1]
    const readKey = /read key {2}\(default project\): (lsr_\S+)/.exec(taken.stdout)?.[1]
    expect(writeKey, taken.stdout).toBeDefined()
    expect(readKey).toBeDefined()

    // The next start finds them stored (and prints none): the printed ones are the keys.
    const next = await startCliServer({ LASTSEEN_DATA_DIR: dir })
    expect(next.output()).not.toMatch(/write key/)
    const posted = await fetch(`${next.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${writeKey}`, 'content-type': 'application/json' },
      body: batch('u_1'),
    })
    expect(posted.status).toBe(200)
    const user = await fetch(`${next.url}/v1/users/u_1`, {
      headers: { authorization: `Bearer ${readKey}` },
    })
    expect(user.status).toBe(200)
    expect(await next.stop()).toBe(0)
  })

  it('a data directory that is a file, or that the service may not write: one line each', async () => {
    const file = join(tempDataDir(), 'data')
    writeFileSync(file, 'not a directory')
    expectOneLine(
      await runCli(['migrate', '--data-dir', file], {}),
      /^cannot use .*data as the data directory: it \(or a folder on its path\) is a file, not a directory; choose another with --data-dir or LASTSEEN_DATA_DIR$/,
    )

    // A directory it can see but not write (its parent open to all, as /var/lib is).
    const parent = tempDataDir()
    chmodSync(parent, 0o755)
    const locked = join(parent, 'locked')
    mkdirSync(locked)
    chmodSync(locked, 0o555)
    // root may write anywhere: run the CLI as nobody, as a service user without rights would.
    const as = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}
    const denied = await runCli(['start', '--port', '0'], { LASTSEEN_DATA_DIR: locked }, as)
    expectOneLine(
      denied,
      /^cannot use .*locked as the data directory: permission denied for the user running lastseen-ingest \(uid \d+\); give it write access or choose another with --data-dir or LASTSEEN_DATA_DIR$/,
    )
  })

  describe('with a ClickHouse server', () => {
    let clickhouse: ClickHouseTestServer
    beforeAll(async () => {
      clickhouse = await startClickHouseServer({
        dataDir: tempDataDir(),
        user: 'ops',
        password: 'right-password',
      })
    })
    afterAll(() => clickhouse.stop())

    it('a wrong password: said once, in one line', async () => {
      const wrong = await runCli(['migrate'], {
        CLICKHOUSE_URL: clickhouse.url,
        CLICKHOUSE_USER: 'ops',
        CLICKHOUSE_PASSWORD: 'wrong-password',
      })
      expectOneLine(
        wrong,
        /^ClickHouse at http:\/\/127\.0\.0\.1:\d+\/ refused user ops: wrong user or password; check CLICKHOUSE_USER and CLICKHOUSE_PASSWORD$/,
      )
      expect(wrong.stderr).not.toContain('wrong-password')
    })

    it('an unreachable server: one line naming it', async () => {
      const { port, server } = await takePort()
      // Taken, then closed: nothing listens there any more.
      await new Promise((resolve) => server.close(resolve))
      const unreachable = await runCli(['start'], {
        CLICKHOUSE_URL: `http://127.0.0.1:${port}`,
      })
      expectOneLine(
        unreachable,
        new RegExp(
          `^cannot reach ClickHouse at http://127\\.0\\.0\\.1:${port}/ \\(ECONNREFUSED\\); is the server running, and is CLICKHOUSE_URL right\\?$`,
        ),
      )
    })
  })
})

describe('where it listens, and who may read /metrics', () => {
  it('says the true bind address; a flag wins over HOST and PORT; /metrics asks for the token', async () => {
    const token = 'metrics-token-0123456789abcdef'
    // The helper sets HOST=127.0.0.1 and PORT=0: the flags override both.
    const { port, server } = await takePort()
    await new Promise((resolve) => server.close(resolve))
    const service = await startCliServer(
      { LASTSEEN_DATA_DIR: tempDataDir(), LASTSEEN_METRICS_TOKEN: token },
      ['--host', '0.0.0.0', '--port', String(port)],
    )
    expect(service.output()).toContain(
      `lastseen ingest listening on http://0.0.0.0:${port} (all interfaces)`,
    )
    const local = `http://127.0.0.1:${port}`
    const open = await fetch(`${local}/metrics`)
    expect(open.status).toBe(401)
    expect(await open.json()).toEqual({
      error: {
        code: 'unauthorized',
        message: '/metrics needs Authorization: Bearer <LASTSEEN_METRICS_TOKEN>',
      },
    })
    const wrong = await fetch(`${local}/metrics`, {
      headers: { authorization: `Bearer ${token}x` },
    })
    expect(wrong.status).toBe(401)
    const right = await fetch(`${local}/metrics`, { headers: { authorization: `Bearer ${token}` } })
    expect(right.status).toBe(200)
    expect(await right.text()).toMatch(/^lastseen_/m)
    expect(await service.stop()).toBe(0)
  })
})
