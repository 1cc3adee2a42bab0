/**
 * @module
 * The real ingestion service, started from its built CLI in a child process (as users run it),
 * on embedded chDB in a fresh directory.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export const WRITE_KEY = 'lsw_sdk_browser_test_0123456789abcdefghij'
const READ_KEY = 'lsr_sdk_browser_test_0123456789abcdefghij'
const cli = resolve(import.meta.dirname, '../../../../apps/ingest/dist/cli.js')

export interface Ingest {
  url: string
  stop(): Promise<void>
}

export async function startIngest(): Promise<Ingest> {
  if (!existsSync(cli)) {
    throw new Error(`${cli} is missing: build the ingest service first (turbo runs its build)`)
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'lastseen-sdk-browser-'))
  const child: ChildProcess = spawn(process.execPath, [cli, 'start'], {
    env: {
      ...process.env,
      PORT: '0',
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
    stop: () =>
      new Promise((done) => {
        const finish = () => {
          rmSync(dataDir, { recursive: true, force: true })
          done()
        }
        if (child.exitCode !== null) return finish()
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000)
        child.once('exit', () => {
          clearTimeout(kill)
          finish()
        })
        child.kill('SIGTERM')
      }),
  }
}
