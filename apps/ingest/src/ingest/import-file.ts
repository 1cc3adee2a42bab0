/**
 * @module
 * `lastseen-ingest import <file.ndjson>`: a backfill of who the users and accounts are and
 * when they were seen, from another tool. Each line becomes wire events (`identify`, `group`,
 * `seen` at `firstSeen` and `lastSeen`), checked and stored exactly like the API's, with ids
 * derived from the project and the line's text: importing the same file again stores nothing
 * twice (every event is answered as a duplicate).
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { z } from 'zod'
import { describeIssue } from '../errors.js'
import type { Storage } from '../storage/client.js'
import { markWatched } from '../webhooks/watch-marks.js'
import { checkEvent } from './event-check.js'
import { toRows } from './event-rows.js'
import { EventWriter } from './group-commit/writer.js'

const time = z.iso.datetime({ offset: true, message: 'must be ISO 8601' })
const traits = z.record(z.string(), z.unknown(), { message: 'must be a JSON object' })

/** One line: a user (with its account, traits and times), or an account (its traits). */
const importLine = z.union(
  [
    z.strictObject({
      userId: z.string(),
      accountId: z.string().optional(),
      traits: traits.optional(),
      firstSeen: time.optional(),
      lastSeen: time.optional(),
    }),
    z.strictObject({ accountId: z.string(), traits }),
  ],
  {
    message:
      'must be {"userId", "accountId"?, "traits"?, "firstSeen"?, "lastSeen"?} or {"accountId", "traits"}',
  },
)

/** What an import did, counted in lines and in events. */
export interface ImportReport {
  /** Lines read (blank lines are skipped and not counted). */
  lines: number
  /** Lines with at least one event stored now. */
  stored: number
  /** Lines whose every event was already stored (an earlier import of the same line). */
  duplicates: number
  /** Lines refused, with their number (from 1) and why; nothing of them is stored. */
  rejected: { line: number; reason: string }[]
  /** Events stored now, and events already stored. */
  events: { stored: number; duplicates: number }
}

export interface ImportOptions {
  storage: Storage
  projectId: string
  /** The late-event window (`LASTSEEN_MAX_EVENT_AGE`), in ms. */
  maxEventAgeMs: number
  /** Progress lines (stderr in the CLI). */
  log: (line: string) => void
  /** Lines stored at a time; each is one write, and the writer stores them in groups. @default 500 */
  chunk?: number
}

/**
 * A name-based UUID (version 5 layout, SHA-1): the same project, line and event position give
 * the same id on every run.
 */
export function importEventId(projectId: string, line: string, n: number): string {
  const hash = createHash('sha1').update(`lastseen-import\n${projectId}\n${n}\n${line}`).digest()
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80
  const hex = hash.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** The wire events of one line, or why the line is refused. */
function eventsOf(projectId: string, text: string): { events: unknown[] } | { reason: string } {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    return { reason: `not JSON: ${(err as Error).message}` }
  }
  const parsed = importLine.safeParse(json)
  if (!parsed.success) return { reason: describeIssue(parsed.error) }
  const line = parsed.data
  let n = 0
  const id = () => importEventId(projectId, text, n++)
  if (!('userId' in line)) {
    return { events: [{ id: id(), type: 'group', accountId: line.accountId, traits: line.traits }] }
  }
  const who = { userId: line.userId, ...(line.accountId ? { accountId: line.accountId } : {}) }
  const events: unknown[] = []
  if (line.traits) events.push({ id: id(), type: 'identify', ...who, traits: line.traits })
  for (const at of new Set([line.firstSeen, line.lastSeen])) {
    if (at) events.push({ id: id(), type: 'seen', ...who, timestamp: at })
  }
  if (events.length === 0)
    return { reason: 'has nothing to import: no traits, firstSeen or lastSeen' }
  return { events }
}

/** Import the NDJSON file at `path` into `projectId`. */
export async function importFile(path: string, options: ImportOptions): Promise<ImportReport> {
  const { storage, projectId, log } = options
  const chunk = options.chunk ?? 500
  const writer = new EventWriter(storage, { minIntervalMs: 0 })
  const report: ImportReport = {
    lines: 0,
    stored: 0,
    duplicates: 0,
    rejected: [],
    events: { stored: 0, duplicates: 0 },
  }
  const progress = () =>
    log(
      `import: ${report.lines} lines read, ${report.stored} stored, ${report.duplicates} duplicates, ${report.rejected.length} rejected`,
    )
  const reject = (line: number, reason: string) => {
    report.rejected.push({ line, reason })
    log(`import: line ${line} rejected: ${reason}`)
  }
  // What the import reveals (users quiet for weeks, accounts slipping) is summarised in one
  // message, not announced one by one: marked before the first event is stored, so that a
  // check running during the import already knows.
  await markWatched(storage, [projectId], 'import', 'import')
  let pending: Promise<void>[] = []
  const flush = async () => {
    await Promise.all(pending)
    pending = []
    progress()
  }
  try {
    const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity })
    let number = 0
    for await (const raw of lines) {
      number++
      const text = raw.trim()
      if (text === '') continue
      report.lines++
      const found = eventsOf(projectId, text)
      if ('reason' in found) {
        reject(number, found.reason)
        continue
      }
      const checked = found.events.map((e) => checkEvent(e))
      const refused = checked.find((c) => 'reason' in c)
      if (refused && 'reason' in refused) {
        reject(number, refused.reason)
        continue
      }
      const now = new Date()
      const valid = checked.map((c, index) => ({
        index,
        ...(c as Exclude<typeof c, { reason: string }>),
      }))
      const { rows, rejected } = toRows(
        projectId,
        valid,
        { sentAt: now.toISOString(), receivedAt: now },
        options.maxEventAgeMs,
      )
      if (rejected[0]) {
        reject(number, rejected[0].reason)
        continue
      }
      pending.push(
        writer.write(rows).then((result) => {
          report.events.stored += result.accepted
          report.events.duplicates += result.duplicates
          if (result.accepted > 0) report.stored++
          else report.duplicates++
        }),
      )
      if (pending.length >= chunk) await flush()
    }
    await flush()
  } finally {
    await Promise.allSettled(pending)
    await writer.close()
  }
  return report
}
