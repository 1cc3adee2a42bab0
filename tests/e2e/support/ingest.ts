/**
 * @module
 * The real ingestion service, started from its built CLI in a child process (as users run it),
 * on embedded chDB in a fresh directory, or in a given one on a given port (to restart it), and
 * a way to query that store once the service is stopped.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

export const WRITE_KEY = 'lsw_sdk_browser_test_0123456789abcdefghij'
export const READ_KEY = 'lsr_sdk_browser_test_0123456789abcdefghij'
const ingestDir = dirname(createRequire(import.meta.url).resolve('@lastseen/ingest/package.json'))
const cli = join(ingestDir, 'dist/cli.js')

export interface Ingest {
  url: string
  /** Stop it: gracefully (`SIGTERM`, cut after 10 s), or at once as in a crash (`SIGKILL`). */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>
}

/** A fresh data directory for {@link startIngest}; the caller removes it. */
/** A port free at the moment, to start the service on again after a stop or a kill. */
export const freePort = () =>
  new Promise<number>((done, fail) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => done(port))
    })
    server.once('error', fail)
  })

export const tempDataDir = () => mkdtempSync(join(tmpdir(), 'lastseen-e2e-'))

/**
 * Start the service. Without `dataDir` it gets a fresh one, removed when it stops; with one (and
 * a fixed `port`) it can be stopped and started again on the same store and address.
 */
export async function startIngest(
  options: { port?: number; dataDir?: string } = {},
): Promise<Ingest> {
  if (!existsSync(cli)) {
    throw new Error(`${cli} is missing: build the ingest service first (turbo runs its build)`)
  }
  const dataDir = options.dataDir ?? tempDataDir()
  const child: ChildProcess = spawn(process.execPath, [cli, 'start'], {
    env: {
      ...process.env,
      PORT: String(options.port ?? 0),
      HOST: '127.0.0.1',
      LASTSEEN_DATA_DIR: dataDir,
      LASTSEEN_WRITE_KEY: WRITE_KEY,
      LASTSEEN_READ_KEY: READ_KEY,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  // A failed test must not leave a server running after its worker ends.
  process.once('exit', () => child.kill('SIGKILL'))
  let output = ''
  const collect = (d: Buffer) => {
    output += d
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`ingest did not start in 60 s:\n${output}`)),
      60_000,
    )
    child.stdout?.on('data', () => {
      const match = /listening on (http:\/\/\S+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        done(match[1].replace(/\/$/, ''))
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      fail(new Error(`ingest exited with ${code}:\n${output}`))
    })
  })
  return {
    url,
    stop: (signal = 'SIGTERM') =>
      new Promise((done) => {
        const finish = () => {
          if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true })
          done()
        }
        if (child.exitCode !== null) return finish()
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000)
        child.once('exit', () => {
          clearTimeout(kill)
          finish()
        })
        child.kill(signal)
      }),
  }
}

/**
 * Rows of `sql` run on the embedded store in `dataDir`, by a separate process (the store serves
 * one process at a time, so the service must be stopped first).
 */
export function queryStore<Row>(dataDir: string, sql: string): Promise<Row[]> {
  const script = `import { Session } from 'chdb'
const session = new Session(process.argv[1])
process.stdout.write(session.query(process.argv[2], 'JSONEachRow'))
session.close()`
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script, dataDir, sql],
      { cwd: ingestDir, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) fail(new Error(`query failed: ${stderr || error.message}`))
        else
          done(
            stdout
              .split('\n')
              .filter(Boolean)
              .map((line) => JSON.parse(line) as Row),
          )
      },
    )
  })
}
