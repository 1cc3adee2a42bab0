/**
 * What users install: the packed tarball, installed into a throwaway project outside the
 * workspace, imported from ESM and CJS, type-checked, and checked by publint and attw.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'

const sdkDir = resolve(import.meta.dirname, '..')
const rootDir = resolve(sdkDir, '../..')
const pnpmVersion = (
  JSON.parse(readFileSync(join(rootDir, 'package.json'), 'utf8')) as { packageManager: string }
).packageManager

const pkgVersion = (
  JSON.parse(readFileSync(join(sdkDir, 'package.json'), 'utf8')) as { version: string }
).version

const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

/** Run, and return the combined output and exit status instead of throwing. */
function attempt(cmd: string, args: string[], cwd: string): { status: number; output: string } {
  try {
    return { status: 0, output: run(cmd, args, cwd) }
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string }
    return { status: e.status, output: `${e.stdout}${e.stderr}` }
  }
}

describe('the packed @lastseen/sdk', () => {
  let project: string
  let tarball: string

  beforeAll(() => {
    const packDir = mkdtempSync(join(tmpdir(), 'lastseen-pack-'))
    // The build turbo just made, packed as is: prepack would rebuild dist/ in place while the
    // other test files read it. Packing from a clean tree, build included, is
    // tests/e2e/packed.test.ts.
    execFileSync('npx', ['-y', pnpmVersion, 'pack', '--pack-destination', packDir], {
      cwd: sdkDir,
      env: { ...process.env, npm_config_ignore_scripts: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const file = readdirSync(packDir).find((f) => f.endsWith('.tgz'))
    if (!file) throw new Error(`pnpm pack wrote no tarball to ${packDir}`)
    tarball = join(packDir, file)

    project = mkdtempSync(join(tmpdir(), 'lastseen-consumer-'))
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    )
    const typescript = join(rootDir, 'node_modules/typescript')
    // hono has no dependencies: install the workspace's copy to type-check the ./hono subpath.
    const hono = realpathSync(join(sdkDir, 'node_modules/hono'))
    run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, typescript, hono],
      project,
    )
  }, 300_000)

  it('imports from ESM', () => {
    const out = run(
      'node',
      [
        '--input-type=module',
        '-e',
        "import { createTracker } from '@lastseen/sdk'; console.log(typeof createTracker)",
      ],
      project,
    )
    expect(out.trim()).toBe('function')
  })

  it('requires from CJS', () => {
    const out = run(
      'node',
      ['--input-type=commonjs', '-e', "console.log(typeof require('@lastseen/sdk').createTracker)"],
      project,
    )
    expect(out.trim()).toBe('function')
  })

  it('imports each runtime entry and middleware subpath from ESM and CJS', () => {
    const esm = run(
      'node',
      [
        '--input-type=module',
        '-e',
        `import * as browser from '@lastseen/sdk'
const [hono, express, fastify, wire] = await Promise.all(['hono', 'express', 'fastify', 'wire'].map((s) => import('@lastseen/sdk/' + s)))
console.log([typeof browser.isLastseenError, typeof hono.lastseen, typeof express.lastseen, typeof fastify.lastseen, wire.LIMITS.maxEventBytes].join())`,
      ],
      project,
    )
    expect(esm.trim()).toBe('function,function,function,function,32768')
    // The self-contained browser build: no bare imports left, so a plain module script can load it.
    const standalone = readFileSync(
      join(project, 'node_modules/@lastseen/sdk/dist/lastseen.min.js'),
      'utf8',
    )
    expect(standalone).not.toMatch(/\bfrom\s*["'][^"'./]/)
    const min = run(
      'node',
      [
        '--input-type=module',
        '-e',
        "import { createTracker } from '@lastseen/sdk/lastseen.min.js'; console.log(typeof createTracker)",
      ],
      project,
    )
    expect(min.trim()).toBe('function')
    const cjs = run(
      'node',
      [
        '--input-type=commonjs',
        '-e',
        "console.log(['hono', 'express', 'fastify'].map((s) => typeof require('@lastseen/sdk/' + s).lastseen).join())",
      ],
      project,
    )
    expect(cjs.trim()).toBe('function,function,function')
  })

  it('tracks against a real socket from the installed package (Node entry)', () => {
    const out = run(
      'node',
      [
        '--input-type=module',
        '-e',
        `import { createServer } from 'node:http'
import { createTracker } from '@lastseen/sdk'
const bodies = []
const server = createServer((req, res) => {
  let body = ''
  req.on('data', (c) => (body += c))
  req.on('end', () => {
    bodies.push(JSON.parse(body))
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ accepted: bodies.at(-1).batch.length, duplicates: 0, rejected: [] }))
  })
})
server.listen(0, '127.0.0.1', async () => {
  const tracker = createTracker({ endpoint: 'http://127.0.0.1:' + server.address().port, writeKey: 'lsw_x', gzip: false })
  tracker.track('login', undefined, { userId: 'u1' })
  await tracker.shutdown()
  server.close()
  console.log(JSON.stringify([bodies[0].library, tracker.getStats().sent]))
})`,
      ],
      project,
    )
    const [library, sent] = JSON.parse(out) as [{ name: string; version: string }, number]
    expect(library).toEqual({ name: '@lastseen/sdk', version: pkgVersion })
    expect(sent).toBe(2)
  })

  it('type-checks correct calls and refuses a wrong event name or property type', () => {
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          noEmit: true,
          skipLibCheck: false,
          lib: ['ES2022', 'DOM'],
        },
        files: ['good.ts'],
      }),
    )
    const header = `import { createTracker } from '@lastseen/sdk'
type Events = { search: { query: string }; login: undefined }
const tracker = createTracker<Events>({ endpoint: 'http://localhost:3000', writeKey: 'lsw_x' })
`
    writeFileSync(
      join(project, 'good.ts'),
      `${header}tracker.track('search', { query: 'q' }, { userId: 'u_1' })
tracker.track('login', undefined, { userId: 'u_1' })
tracker.for({ userId: 'u_1', accountId: 'acme' }).track('login')
tracker.seen('u_1', { accountId: 'acme' })
void tracker.flush().then(() => tracker.shutdown({ timeoutMs: 5000 }))
import type { BatchRequest, WireEvent } from '@lastseen/sdk/wire'
const event: WireEvent = { id: 'x', type: 'seen', userId: 'u_1' }
export const body: BatchRequest = { sentAt: new Date().toISOString(), batch: [event] }
import { Hono } from 'hono'
import { lastseen } from '@lastseen/sdk/hono'
type AppEnv = { Variables: { userId?: string } }
new Hono<AppEnv>().use(lastseen<AppEnv>({ tracker, userId: (c) => c.get('userId') }))
`,
    )
    const good = attempt('npx', ['tsc', '-p', '.'], project)
    expect(good.output).toBe('')
    expect(good.status).toBe(0)

    writeFileSync(
      join(project, 'bad-name.ts'),
      `${header}tracker.track('serach', { query: 'q' })\n`,
    )
    const badName = attempt(
      'npx',
      [
        'tsc',
        '--noEmit',
        '--strict',
        '--module',
        'NodeNext',
        '--moduleResolution',
        'NodeNext',
        'bad-name.ts',
      ],
      project,
    )
    expect(badName.status).not.toBe(0)
    expect(badName.output).toContain('serach')

    writeFileSync(join(project, 'bad-prop.ts'), `${header}tracker.track('search', { query: 1 })\n`)
    const badProp = attempt(
      'npx',
      [
        'tsc',
        '--noEmit',
        '--strict',
        '--module',
        'NodeNext',
        '--moduleResolution',
        'NodeNext',
        'bad-prop.ts',
      ],
      project,
    )
    expect(badProp.status).not.toBe(0)
    expect(badProp.output).toMatch(/number.*string/)
  })

  it('depends on nothing private: the protocol package is inlined, code and types', () => {
    const root = join(project, 'node_modules/@lastseen/sdk')
    const manifest = readFileSync(join(root, 'package.json'), 'utf8')
    const { dependencies = {}, peerDependencies = {} } = JSON.parse(manifest) as {
      dependencies?: Record<string, string>
      peerDependencies?: Record<string, string>
    }
    expect(Object.keys({ ...dependencies, ...peerDependencies })).not.toContain(
      '@lastseen/protocol',
    )
    const built = readdirSync(join(root, 'dist')).filter((f) => /\.(c?js|d\.c?ts)$/.test(f))
    const importing = built.filter((f) =>
      readFileSync(join(root, 'dist', f), 'utf8').includes('@lastseen/protocol'),
    )
    expect(importing).toEqual([])
  })

  it('passes publint and are-the-types-wrong', () => {
    const publint = attempt('npx', ['publint', '--strict', tarball], sdkDir)
    expect(publint.output).not.toMatch(/error|warning/i)
    expect(publint.status).toBe(0)
    const attw = attempt(
      'npx',
      // Every resolution mode, node10 included (TypeScript's `moduleResolution: node`, which
      // finds the subpaths through `typesVersions`). lastseen.min.js is an ESM-only file for
      // browsers (a CDN <script type="module">), on purpose.
      [
        'attw',
        tarball,
        '--profile',
        'strict',
        '--format',
        'ascii',
        '--exclude-entrypoints',
        'lastseen.min.js',
      ],
      sdkDir,
    )
    expect(attw.status, attw.output).toBe(0)
  })
})
