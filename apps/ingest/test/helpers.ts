/**
 * @module
 * Test helpers: a real service on a real socket, on embedded chDB in a fresh directory.
 */
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { readConfig } from '../src/config.js'
import { storeKey } from '../src/keys/admin.js'
import { type RunningServer, startServer } from '../src/server.js'

export const WRITE_KEY = 'lsw_test_write_key_0123456789abcdefghij'
export const READ_KEY = 'lsr_test_read_key_0123456789abcdefghijk'

/** A fresh, empty data directory. */
/** The keys of a second project, `other`, for tests that check that projects stay apart. */
export const OTHER_WRITE_KEY = 'lsw_other_project_write_0123456789abcdef'
export const OTHER_READ_KEY = 'lsr_other_project_read_0123456789abcdefg'

/** A TCP port on 127.0.0.1 that was free a moment ago (to start something on it again later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}

export const tempDataDir = () => mkdtempSync(join(tmpdir(), 'lastseen-test-'))

/** Start the service in this process on a random port. chDB allows one data dir per process. */
export async function startTestServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const config = readConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LASTSEEN_DATA_DIR: tempDataDir(),
    LASTSEEN_WRITE_KEY: WRITE_KEY,
    LASTSEEN_READ_KEY: READ_KEY,
    ...env,
  })
  return startServer(config)
}

/** {@link startTestServer}, with a second project `other` and its keys {@link OTHER_WRITE_KEY}, {@link OTHER_READ_KEY}. */
export async function startWithOtherProject(
  env: Record<string, string> = {},
): Promise<RunningServer> {
  const server = await startTestServer(env)
  await storeKey(server.storage, OTHER_WRITE_KEY, 'write', 'other')
  await storeKey(server.storage, OTHER_READ_KEY, 'read', 'other')
  await server.reloadKeys()
  return server
}

/**
 * Wait until `check` holds, trying every `intervalMs`; past `timeoutMs`, fail naming `what`.
 * Every wait of a test goes through here: a poll never spins without a pause or a deadline.
 * @returns how long it took, in ms
 */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  what: string,
  { timeoutMs = 30_000, intervalMs = 50 } = {},
): Promise<number> {
  const started = Date.now()
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not ${what} within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
  return Date.now() - started
}

/** Count rows of a query's single `n` column. */
export async function count(server: RunningServer, sql: string): Promise<number> {
  const result = await server.storage.client.query({
    query: sql.replaceAll('{db}', server.storage.database),
    format: 'JSONEachRow',
  })
  const rows = await result.json<{ n: string | number }>()
  return Number(rows[0]?.n ?? 0)
}

// The CLI from source (through tsx), so tests never run a stale build.
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url))

/** A service started from the CLI in a child process, as users run it. */
export interface ChildServer {
  url: string
  output: () => string
  stop(): Promise<number | null>
  /** SIGKILL, as a crash or the OOM killer: no shutdown at all; resolves once it is gone. */
  kill(): Promise<void>
}

export async function startCliServer(
  env: Record<string, string>,
  args: string[] = [],
): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'start', ...args], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  // A failed test must not leave a server running after its worker ends.
  process.once('exit', () => child.kill('SIGKILL'))
  let output = ''
  child.stdout.on('data', (d) => {
    output += d
  })
  child.stderr.on('data', (d) => {
    output += d
  })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listen line in 60s:\n${output}`)), 60_000)
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout.on('data', check)
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)))
  })
  return {
    url,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', (code) => resolve(code))
        child.kill('SIGTERM')
      }),
    kill: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve())
        child.kill('SIGKILL')
      }),
  }
}

/** Run the CLI to completion: its exit code and output; `uid`/`gid` run it as another user. */
export function runCli(
  args: string[],
  env: Record<string, string>,
  as: { uid?: number; gid?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', cli, ...args],
      { env: { ...process.env, ...env }, timeout: 60_000, ...as },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        resolve({ code, stdout, stderr })
      },
    )
  })
}

/** Exit code 1 and a single line on stderr matching `line`: no stack trace, no second copy. */
export function expectOneLine(result: { code: number; stderr: string }, line: RegExp): void {
  expect(result.stderr.trimEnd().split('\n'), result.stderr).toHaveLength(1)
  expect(result.stderr.trimEnd()).toMatch(line)
  expect(result.code).toBe(1)
}
