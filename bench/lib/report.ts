/**
 * @module
 * Writing results: each benchmark owns one section of `docs/benchmarks.md`, between
 * `<!-- bench:NAME:begin -->` and `<!-- bench:NAME:end -->`, and replaces only that section,
 * so every benchmark can run on its own.
 */
import { execSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'

/** `docs/benchmarks.md` at the repository root. */
export const REPORT_PATH = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url))

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const git = (args: string) =>
  execSync(`git ${args}`, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
    .toString()
    .trim()

/** Where and when a run happened, for the report. */
export function runContext(command: string): string {
  const cpu = cpus()
  const commit = (() => {
    try {
      return git('rev-parse --short HEAD')
    } catch {
      return 'unknown'
    }
  })()
  const dirty = (() => {
    try {
      return git('status --porcelain -- packages apps').length > 0
    } catch {
      return false
    }
  })()
  return [
    `Command: \`${command}\``,
    `Run: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}, commit ${commit}${dirty ? ' (with uncommitted changes in packages/ or apps/)' : ''}, Node ${process.version},`,
    `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GB RAM, ${process.platform}/${process.arch};`,
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')} (1 / 5 / 15 min) when the run ended — other work on the machine competes.`,
  ].join('\n')
}

/**
 * Replace the section `name` of the report at `path` (default `docs/benchmarks.md`) with
 * `markdown`; a missing section is appended.
 */
export function writeSection(name: string, markdown: string, path = REPORT_PATH): void {
  const begin = `<!-- bench:${name}:begin -->`
  const end = `<!-- bench:${name}:end -->`
  const block = `${begin}\n${markdown.trim()}\n${end}`
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n'
  const from = current.indexOf(begin)
  const to = current.indexOf(end)
  const next =
    from >= 0 && to > from
      ? current.slice(0, from) + block + current.slice(to + end.length)
      : `${current.trimEnd()}\n\n${block}\n`
  writeFileSync(path, next)
  console.log(`\nwrote section "${name}" of ${path}`)
}
