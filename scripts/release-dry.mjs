// `pnpm release:dry`: the release, rehearsed on a scratch copy of the tree (scripts/clean-copy.mjs),
// never on the working tree: `changeset version` applies the pending changesets (versions and
// changelogs), then `pnpm publish --dry-run` packs each published package (prepack builds it)
// and shows what would go to the registry. Exits non-zero when any step fails.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cleanCopy, pnpm } from './clean-copy.mjs'

const PUBLISHED = ['packages/sdk', 'apps/ingest']
const started = Date.now()
const scratch = mkdtempSync(join(tmpdir(), 'lastseen-release-'))
const run = (args, cwd) => execFileSync('npx', [...pnpm, ...args], { cwd, stdio: 'inherit' })
const version = (dir) =>
  JSON.parse(readFileSync(join(scratch, dir, 'package.json'), 'utf8')).version

try {
  cleanCopy(scratch)
  const before = PUBLISHED.map(version)
  run(['exec', 'changeset', 'version'], scratch)
  for (const [i, dir] of PUBLISHED.entries()) {
    console.log(`\n${dir}: ${before[i]} -> ${version(dir)}`)
    run(['publish', '--dry-run', '--no-git-checks'], join(scratch, dir))
  }
  console.log(`\nrelease dry run passed in ${Math.round((Date.now() - started) / 1000)} s`)
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
