/**
 * The protocol's limits are written once, in `limits.ts`. This test reads the code (comments
 * left out, string literals kept: a message can restate a limit too) of every source file under
 * `packages/` and `apps/` but tests, and fails on each copy of a limit it finds, naming file,
 * line and limit.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import type { LIMITS } from './limits.js'

const root = resolve(import.meta.dirname, '../../..')

/**
 * A copy of a limit: `pattern` on a line of code that also matches `near` (when given), so that
 * a `200` HTTP status or a `60_000` ms timeout is not taken for a limit.
 */
interface Rule {
  limit: keyof typeof LIMITS
  pattern: RegExp
  near?: RegExp
}

const RULES: Rule[] = [
  {
    limit: 'maxNameLength',
    pattern: /\b200\b/,
    near: /character|\.length\b|\.max\(|MAX_(NAME|ID)/i,
  },
  { limit: 'maxCount', pattern: /\b(1e6|1_?000_?000)\b/, near: /\bcount\b/i },
  { limit: 'maxEventBytes', pattern: /\b32\s*\*\s*1024\b|\b32_?768\b|\b32 ?KB\b/i },
  { limit: 'maxRequestBytes', pattern: /\b1024\s*\*\s*1024\b|\b1_?048_?576\b|\b1 ?MB\b/i },
  {
    limit: 'maxBatchEvents',
    pattern: /\b1,?_?000[- ]events?\b|\b(batch|events)[\w.]*\s*[<>]=?\s*1_?000\b|\.max\(1_?000\)/i,
    near: /event|batch/i,
  },
  { limit: 'maxPropertiesDepth', pattern: /\b32\b/, near: /level|deep|depth|nest/i },
  { limit: 'maxBeaconBytes', pattern: /\b65_?536\b|\b64\s*\*\s*1024\b|\b6[34] ?KB\b|\b64 ?KiB\b/i },
  { limit: 'maxBeaconBytes', pattern: /\b6[03]_?000\b/, near: /byte|beacon|keepalive/i },
]

/**
 * Files that still hold copies, and how many of each. Empty: every package imports `LIMITS`. A
 * file may only be listed with a reason, and the list can only shrink: a count that no longer
 * matches fails too.
 */
const ALLOWED: Record<string, Partial<Record<keyof typeof LIMITS, number>>> = {}

const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.turbo', 'test', 'tests', '__snapshots__'])

/** Source files under `dir`, tests and build output left out. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : sources(path)
    return SOURCE.test(entry.name) && !/\.test(-d)?\.[cm]?[jt]sx?$/.test(entry.name) ? [path] : []
  })
}

/** `text` with every comment blanked out (line breaks kept, so line numbers still hold). */
function withoutComments(path: string, text: string): string {
  const kind = path.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, kind)
  const out = text.split('')
  const seen = new Set<number>()
  const blank = (ranges: ts.CommentRange[] | undefined) => {
    for (const { pos, end } of ranges ?? []) {
      if (seen.has(pos)) continue
      seen.add(pos)
      for (let i = pos; i < end; i++) if (out[i] !== '\n') out[i] = ' '
    }
  }
  // getChildren() includes punctuation, so a comment before a closing `}` is found as well.
  const visit = (node: ts.Node) => {
    blank(ts.getLeadingCommentRanges(text, node.pos))
    blank(ts.getTrailingCommentRanges(text, node.end))
    for (const child of node.getChildren(file)) visit(child)
  }
  visit(file)
  return out.join('')
}

interface Finding {
  file: string
  line: number
  code: string
  limit: keyof typeof LIMITS
}

function findCopies(): Finding[] {
  const found: Finding[] = []
  const files = ['packages', 'apps'].flatMap((dir) => sources(join(root, dir)))
  for (const path of files) {
    const file = relative(root, path)
    if (file.startsWith('packages/protocol/')) continue
    const code = withoutComments(path, readFileSync(path, 'utf8')).split('\n')
    code.forEach((line, i) => {
      const limits = new Set<keyof typeof LIMITS>()
      for (const rule of RULES) {
        if (rule.pattern.test(line) && (!rule.near || rule.near.test(line))) limits.add(rule.limit)
      }
      for (const limit of limits) found.push({ file, line: i + 1, code: line.trim(), limit })
    })
  }
  return found
}

describe('the limits', () => {
  const found = findCopies()

  it('are written nowhere but in the protocol package (and the files still listed)', () => {
    const counts = new Map<string, number>()
    for (const f of found)
      counts.set(`${f.file} ${f.limit}`, (counts.get(`${f.file} ${f.limit}`) ?? 0) + 1)
    const unexpected = found
      .filter((f) => (ALLOWED[f.file]?.[f.limit] ?? 0) !== counts.get(`${f.file} ${f.limit}`))
      .map((f) => `${f.file}:${f.line}: ${f.code}  (a copy of LIMITS.${f.limit})`)
    expect(unexpected, 'import LIMITS from @lastseen/protocol instead').toEqual([])
  })

  it('leave the allow-list as soon as a listed file no longer copies them', () => {
    const stale = Object.entries(ALLOWED).flatMap(([file, limits]) =>
      Object.entries(limits)
        .filter(
          ([limit, n]) => found.filter((f) => f.file === file && f.limit === limit).length !== n,
        )
        .map(([limit, n]) => `${file}: allowed ${n} copies of LIMITS.${limit}`),
    )
    expect(stale, 'update ALLOWED to what is left').toEqual([])
  })

  it('are found where they are copied (the rules are not blind)', () => {
    const lines = [
      "z.string().max(200, 'userId is over 200 characters')",
      'count <= 1e6',
      'const MAX_EVENT = 32 * 1024',
      '`request body is over 1 MB`',
      "'batch has more than 1,000 events'",
      'if (batch.length > 1000) refuse()',
      "'properties nested over 32 levels deep'",
      'const BEACON_BYTES = 60_000',
      'const KEEPALIVE_MAX_BYTES = 63_000',
      'size < 65536',
    ]
    for (const line of lines) {
      expect(
        RULES.some((r) => r.pattern.test(line) && (!r.near || r.near.test(line))),
        line,
      ).toBe(true)
    }
    const unrelated = [
      "c.body(text, 200, { 'content-type': 'text/plain' })",
      'export const MAX_OFFSET = 1_000_000',
      "unavailable('too many events waiting to be stored; retry', 1000)",
      'const FIXED_BYTES = 200',
      'retry: { maxRetryAfterMs: 60_000 }',
      '.slice(0, 32)',
      'maxQueueSize: 1000',
    ]
    for (const line of unrelated) {
      expect(
        RULES.some((r) => r.pattern.test(line) && (!r.near || r.near.test(line))),
        line,
      ).toBe(false)
    }
  })
})
