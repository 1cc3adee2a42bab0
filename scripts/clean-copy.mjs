// A clean tree of the repository, as a fresh clone would have it: the files git tracks or would
// track (ignored ones such as dist/ and node_modules/ left out), copied from the working tree so
// uncommitted changes count, then installed offline from pnpm's store. Used by the packed
// packages' test and by `pnpm release:dry`, which must never touch the working tree.
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const rootDir = fileURLToPath(new URL('..', import.meta.url))

/** `npx -y pnpm@<packageManager's version>`, as the README runs it. */
export const pnpm = [
  '-y',
  JSON.parse(readFileSync(join(rootDir, 'package.json'), 'utf8')).packageManager,
]

/** Copy the tree into `dest` (an empty directory) and install it; returns `dest`. */
export function cleanCopy(dest, { install = true } = {}) {
  const files = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: rootDir,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  )
    .split('\0')
    .filter(Boolean)
  for (const file of files) {
    mkdirSync(dirname(join(dest, file)), { recursive: true })
    try {
      copyFileSync(join(rootDir, file), join(dest, file))
    } catch (err) {
      // Deleted in the working tree but not yet in the index: a fresh clone would not have it.
      if (err.code !== 'ENOENT') throw err
    }
  }
  if (install) {
    execFileSync('npx', [...pnpm, 'install', '--frozen-lockfile', '--offline'], {
      cwd: dest,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
  }
  return dest
}
