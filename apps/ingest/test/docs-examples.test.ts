/**
 * The curl examples of the README and the docs, run as written against a live service (the
 * address and keys swapped for the test's): each must succeed, and where the docs show the
 * answer (`# {…}` under the command) the service must answer exactly that.
 */
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { storeKey } from '../src/keys/admin.js'
import type { RunningServer } from '../src/server.js'
import { READ_KEY, startTestServer, WRITE_KEY, waitUntil } from './helpers.js'

const ADMIN_KEY = 'lsa_docs_examples_admin_0123456789abcdef'

/** Markdown files with curl examples, in the order a reader meets them. */
const FILES = ['README.md', 'docs/api.md', 'docs/self-hosting.md']

interface Example {
  file: string
  command: string
  /** The answer the docs show, when they show a whole JSON one. */
  answer?: unknown
}

/** The curl commands of the `sh` blocks of `file`, each with the answer shown under it. */
function examples(file: string): Example[] {
  const text = readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8')
  const found: Example[] = []
  for (const [, block] of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const lines = (block ?? '').split('\n')
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i]?.startsWith('curl ')) continue
      let command = lines[i] as string
      while (command.endsWith('\\')) command = `${command}\n${lines[++i] ?? ''}`
      const shown = /^# (\{.*\})$/.exec(lines[i + 1] ?? '')?.[1]
      let answer: unknown
      try {
        answer = shown === undefined || shown.includes('…') ? undefined : JSON.parse(shown)
      } catch {
        answer = undefined
      }
      found.push({ file, command, ...(answer === undefined ? {} : { answer }) })
    }
  }
  return found
}

const all = FILES.flatMap(examples)

let server: RunningServer
beforeAll(async () => {
  server = await startTestServer()
  await storeKey(server.storage, ADMIN_KEY, 'admin', 'default')
  // The service learns of the key at its next key reload (within 10 s).
  await waitUntil(
    async () =>
      (
        await fetch(`${server.url}/v1/users/nobody`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${ADMIN_KEY}` },
        })
      ).status === 404,
    'the admin key accepted',
    { timeoutMs: 20_000, intervalMs: 500 },
  )
}, 30_000)
afterAll(() => server?.close())

/**
 * Run `command` in bash with the service's address and the test's keys; its output. (Not
 * synchronously: the service answers from this process.)
 */
async function run(command: string): Promise<string> {
  const host = new URL(server.url).host
  const script = command
    .replaceAll('http://localhost:3000', `http://${host}`)
    .replaceAll('localhost:3000', host)
  // Every example must succeed: a 4xx or 5xx fails the command (and shows the body).
  const { stdout } = await promisify(execFile)(
    'bash',
    ['-c', `curl() { command curl --fail-with-body "$@"; }\n${script}`],
    {
      encoding: 'utf8',
      env: {
        ...process.env,
        WRITE_KEY,
        READ_KEY,
        LASTSEEN_ADMIN_KEY: ADMIN_KEY,
      },
      timeout: 30_000,
    },
  )
  return stdout
}

describe('the curl examples of the docs', () => {
  it('are found (the README and the API reference have them)', () => {
    expect(all.filter((e) => e.file === 'README.md').length).toBeGreaterThanOrEqual(3)
    expect(all.filter((e) => e.file === 'docs/api.md').length).toBeGreaterThanOrEqual(2)
  })

  // In order: the writes come before the reads and the deletion that use what they stored.
  it.each(all.map((e, i) => [`${e.file} #${i + 1}: ${e.command.split('\n')[0]}`, e] as const))(
    '%s',
    async (_, example) => {
      const output = await run(example.command)
      if (example.answer !== undefined) expect(JSON.parse(output)).toEqual(example.answer)
    },
  )
})
