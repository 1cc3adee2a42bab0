/**
 * What an operator installs: both packages packed from a clean tree (no dist/: `pnpm pack`
 * builds them), installed with deploy/install.sh into an empty directory outside the workspace,
 * the service started there with `npx lastseen-ingest`, a batch sent with the packed SDK and
 * read back through the read API; then the deploy files' start script on the same store, and
 * the lint of what can be linted here (the systemd unit, the shell scripts).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { cleanCopy, pnpm, rootDir } from '../../scripts/clean-copy.mjs'
import { freePort } from './support/ingest.js'

const exec = promisify(execFile)

/**
 * What the service printed: without npm's own warnings (run from pnpm, npx warns about the
 * `npm_config_*` settings pnpm passes down and npm does not know).
 */
const ours = (stderr: string) =>
  stderr
    .split('\n')
    .filter((line) => !line.startsWith('npm warn'))
    .join('\n')
    .trim()
const temp = (name: string) => mkdtempSync(join(tmpdir(), `lastseen-${name}-`))

interface Service {
  output: () => string
  url: Promise<string>
  /** SIGTERM to the group; settles once the process is gone. */
  stop(): Promise<void>
}

function launch(cmd: string, args: string[], cwd: string, env: Record<string, string>): Service {
  // Its own process group: npx runs the command in a child, and a signal must reach both.
  const child: ChildProcess = spawn(cmd, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), name)
    } catch {
      // Already gone.
    }
  }
  process.once('exit', () => signal('SIGKILL'))
  let output = ''
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listen line in 90 s:\n${output}`)), 90_000)
    const collect = (d: Buffer) => {
      output += d
      const match = /listening on (http:\/\/\S+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout?.on('data', collect)
    child.stderr?.on('data', collect)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code}:\n${output}`))
    })
  })
  url.catch(() => {})
  return {
    output: () => output,
    url,
    async stop() {
      signal('SIGTERM')
      // npx may leave before the service it started has finished: wait for the whole group.
      const deadline = Date.now() + 20_000
      while (Date.now() < deadline) {
        try {
          process.kill(-(child.pid as number), 0)
        } catch {
          return
        }
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      throw new Error(`still running 20 s after SIGTERM:\n${output}`)
    },
  }
}

describe('the packed packages, installed as an operator installs them', () => {
  let tarballs: { ingest: string; sdk: string }
  let install: string
  let dataDir: string
  let port: number
  let keys: { write: string; read: string }

  beforeAll(async () => {
    const tree = cleanCopy(temp('tree'))
    expect(existsSync(join(tree, 'apps/ingest/dist'))).toBe(false)
    expect(existsSync(join(tree, 'packages/sdk/dist'))).toBe(false)
    const packs = temp('packs')
    // Both at once: each builds itself (prepack) in the clean tree.
    await Promise.all(
      ['apps/ingest', 'packages/sdk'].map((dir) =>
        exec('npx', [...pnpm, 'pack', '--pack-destination', packs], { cwd: join(tree, dir) }),
      ),
    )
    const file = (prefix: string) =>
      join(packs, readdirSync(packs).find((f) => f.startsWith(prefix)) as string)
    tarballs = { ingest: file('lastseen-ingest-'), sdk: file('lastseen-sdk-') }

    // Without the optional embedded engine first (it weighs 540 MB): a ClickHouse-server
    // install needs none of it, and the embedded store says what is missing.
    install = join(temp('install'), 'lastseen')
    await exec(join(rootDir, 'deploy/install.sh'), [install, tarballs.ingest, tarballs.sdk], {
      env: { ...process.env, LASTSEEN_NPM_FLAGS: '--omit=optional --prefer-offline' },
    })
    dataDir = join(temp('data'), 'store')
    port = await freePort()
  }, 600_000)

  it('carries README, LICENSE and builds, and links what its help points to', async () => {
    for (const [name, tarball] of Object.entries(tarballs)) {
      const { stdout } = await exec('tar', ['tzf', tarball])
      const files = stdout.split('\n')
      expect(files, name).toContain('package/README.md')
      expect(files, name).toContain('package/LICENSE')
      expect(
        files.some((f) => f.startsWith('package/dist/')),
        name,
      ).toBe(true)
      const readme = (await exec('tar', ['xzf', tarball, '-O', 'package/README.md'])).stdout
      // Links work from npm's page too: absolute, never into the repository's tree.
      expect(readme, name).not.toMatch(/\]\((\.\.?\/|docs\/)/)
      expect(readme, name).toMatch(/https:\/\/github\.com\/lastseen\/lastseen/)
    }
    const help = await exec('npx', ['lastseen-ingest', '--help'], {
      cwd: install,
    })
    expect(help.stdout).toContain(
      'https://github.com/lastseen/lastseen/blob/main/docs/self-hosting.md',
    )
    expect(help.stdout).not.toMatch(/See docs\//)
    const { version } = JSON.parse(
      readFileSync(join(install, 'node_modules/@lastseen/ingest/package.json'), 'utf8'),
    ) as { version: string }
    expect((await exec('npx', ['lastseen-ingest', '--version'], { cwd: install })).stdout).toBe(
      `${version}\n`,
    )
  })

  it('without chDB and without CLICKHOUSE_URL: one line naming the package', async () => {
    expect(existsSync(join(install, 'node_modules/chdb'))).toBe(false)
    const failed = await exec(
      'npx',
      ['lastseen-ingest', 'start', '--port', String(port), '--data-dir', dataDir],
      { cwd: install },
    ).catch((err: { code: number; stderr: string }) => err)
    expect('code' in failed && failed.code).toBe(1)
    expect(ours(failed.stderr)).toBe(
      'the embedded store needs the package chdb, which is not installed: install it (npm install chdb, next to @lastseen/ingest) or set CLICKHOUSE_URL to use a ClickHouse server',
    )
  })

  it('starts with npx, takes a batch from the packed SDK and answers it back', async () => {
    // The engine itself, linked from the workspace rather than downloaded again.
    mkdirSync(join(install, 'node_modules'), { recursive: true })
    symlinkSync(
      realpathSync(join(rootDir, 'apps/ingest/node_modules/chdb')),
      join(install, 'node_modules/chdb'),
    )
    const service = launch(
      'npx',
      ['lastseen-ingest', 'start', '--port', String(port), '--data-dir', dataDir],
      install,
      { HOST: '127.0.0.1', PORT: '1' },
    )
    const url = await service.url
    expect(url).toBe(`http://127.0.0.1:${port}`)
    keys = {
      write: /write key \(default project\): (lsw_\S+)/.exec(service.output())?.[1] as string,
      read: /read key {2}\(default project\): (lsr_\S+)/.exec(service.output())?.[1] as string,
    }
    expect(keys.write).toBeDefined()

    writeFileSync(
      join(install, 'send.mjs'),
      `import { createTracker } from '@lastseen/sdk'
const tracker = createTracker({ endpoint: process.argv[2], writeKey: process.argv[3] })
tracker.track('search', { query: 'q' }, { userId: 'u_packed', accountId: 'acme' })
await tracker.shutdown()
console.log(JSON.stringify(tracker.getStats()))`,
    )
    const sent = await exec('node', ['send.mjs', url, keys.write], {
      cwd: install,
    })
    expect(JSON.parse(sent.stdout)).toMatchObject({ sent: 2, failed: 0, rejected: 0 })
    const user = await fetch(`${url}/v1/users/u_packed`, {
      headers: { authorization: `Bearer ${keys.read}` },
    })
    expect(user.status).toBe(200)
    expect(await user.json()).toMatchObject({ userId: 'u_packed' })
    await service.stop()
    expect(service.output()).toMatch(/SIGTERM: no new requests[\s\S]*\nstopped\n/)
  })

  it("runs again from the deploy files' start script on the same store", async () => {
    const service = launch(join(install, 'start.sh'), ['--port', String(port)], install, {
      HOST: '127.0.0.1',
      LASTSEEN_DATA_DIR: dataDir,
    })
    const url = await service.url
    expect(service.output()).not.toMatch(/write key/)
    const ready = await fetch(`${url}/readyz`)
    expect(ready.status).toBe(200)
    const user = await fetch(`${url}/v1/users/u_packed`, {
      headers: { authorization: `Bearer ${keys.read}` },
    })
    expect(user.status).toBe(200)
    await service.stop()
    expect(service.output()).toMatch(/\nstopped\n/)
  })

  it('passes the linters available here: systemd-analyze verify, shellcheck when installed', async () => {
    // The unit, pointed at this install instead of /opt/lastseen.
    const unitDir = temp('unit')
    const unit = join(unitDir, 'lastseen-ingest.service')
    writeFileSync(
      unit,
      readFileSync(join(rootDir, 'deploy/lastseen-ingest.service'), 'utf8').replaceAll(
        '/opt/lastseen',
        install,
      ),
    )
    const hasSystemd = await exec('systemd-analyze', ['--version']).then(
      () => true,
      () => false,
    )
    if (hasSystemd) {
      const verified = await exec('systemd-analyze', ['verify', unit]).catch(
        (err: { stderr: string; code: number }) => err,
      )
      expect('stderr' in verified ? verified.stderr : '').toBe('')
    }
    const hasShellcheck = await exec('shellcheck', ['--version']).then(
      () => true,
      () => false,
    )
    if (hasShellcheck) {
      const scripts = ['deploy/install.sh', 'deploy/start.sh'].map((f) => join(rootDir, f))
      await expect(exec('shellcheck', scripts)).resolves.toBeDefined()
    }
  })
})
