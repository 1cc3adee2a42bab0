// The suites that show lastseen works on every Node version teams run, re-run on Node 22 and 24
// (the main suite runs on the Node that runs pnpm). Those Node versions come from the npm
// registry's `node` package, so nothing beyond npm is needed. Each run checks the version it got.
import { execFileSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const vitest = join(root, 'node_modules/vitest/vitest.mjs')

/** Per package: the test files that exercise what differs between Node versions. */
const SUITES = [
  // Packed, installed and imported from ESM and CommonJS; fetch, timers, exit hooks.
  ['packages/sdk', ['test/packaging.test.ts', 'test/exit.test.ts']],
  // The service on the embedded engine (a native addon), its HTTP server and its CLI.
  ['apps/ingest', ['test/write-api.test.ts', 'test/restart.test.ts', 'test/cli.test.ts']],
  // The SDK in Chromium against the running service.
  ['tests/e2e', ['browser.test.ts']],
]

const versions = ['22', '24']

const run = (version, args, cwd) =>
  execFileSync('npx', ['-y', `node@${version}`, ...args], {
    cwd,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, FORCE_COLOR: '0' },
  })

for (const version of versions) {
  const got = execFileSync('npx', ['-y', `node@${version}`, '-p', 'process.version'], {
    encoding: 'utf8',
  }).trim()
  if (!got.startsWith(`v${version}.`)) {
    console.error(`asked npm's node package for Node ${version} and got ${got}`)
    process.exit(1)
  }
  console.log(`\n== Node ${got} ==`)
  for (const [dir, files] of SUITES) run(version, [vitest, 'run', ...files], join(root, dir))
}
