/**
 * @module
 * Disk benchmark: bytes per event on disk, per table, for two histories —
 * the insights history (inserted into `events_in` as `insights/latency.ts` seeds it) and the
 * same number of events sent through `POST /v1/batch` in batches of 1,000 over 60 days (see
 * `storage/history.ts`). Each history is built in its own child process on a fresh embedded
 * store; once background merges have finished, the active parts of every table are summed
 * from `system.parts` (bytes on disk: data, marks, primary index, checksums) and, per column,
 * from `system.parts_columns` (compressed data). Goal: ≤ 60 bytes per event in total.
 *
 * Usage: npx tsx storage/disk.ts [--events 1000000] [--users 10000] [--json FILE] [--no-write]
 */
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { startChild } from '../lib/child.js'
import { fixed, int, mb, table } from '../lib/format.js'
import { runContext, writeSection } from '../lib/report.js'

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    users: { type: 'string', default: '10000' },
    json: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
})
const events = Number(values.events)
const users = Number(values.users)

interface Measured {
  history: 'insights' | 'batch'
  events: number
  loadMs: number
  settleMs: number
  tables: { table: string; bytes: number; rows: number; parts: number }[]
  columns: { table: string; column: string; bytes: number; raw: number }[]
}

const GOAL = 60

async function measure(history: Measured['history']): Promise<Measured> {
  const child = startChild('./history.ts', import.meta.url, {
    args: [history, String(events), String(users)],
  })
  try {
    return await child.next<Measured>(30 * 60_000)
  } finally {
    await child.stop()
  }
}

const results: Measured[] = []
for (const history of ['insights', 'batch'] as const) {
  console.log(`building the ${history} history (${int(events)} events, ${int(users)} users)…`)
  const m = await measure(history)
  results.push(m)
  const total = m.tables.reduce((s, t) => s + t.bytes, 0)
  console.log(
    `${history}: ${int(m.events)} events stored in ${fixed(m.loadMs / 1000)} s, merges settled in ${fixed(m.settleMs / 1000)} s; ${fixed(total / m.events)} bytes/event`,
  )
  for (const t of m.tables) {
    console.log(
      `  ${t.table.padEnd(20)} ${fixed(t.bytes / m.events).padStart(7)} B/event  ${int(t.rows)} rows`,
    )
  }
  for (const c of m.columns.filter((c) => c.bytes / m.events >= 0.5)) {
    console.log(
      `    ${`${c.table}.${c.column}`.padEnd(36)} ${fixed(c.bytes / m.events).padStart(7)} B/event`,
    )
  }
}
if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 2))

const [insights, batch] = results as [Measured, Measured]
const names = [...new Set(results.flatMap((m) => m.tables.map((t) => t.table)))].sort()
const perEvent = (m: Measured, name: string) => {
  const t = m.tables.find((x) => x.table === name)
  return t ? fixed(t.bytes / m.events) : '–'
}
const rowsOf = (m: Measured, name: string) => {
  const t = m.tables.find((x) => x.table === name)
  return t ? int(t.rows) : '–'
}
const totalOf = (m: Measured) => m.tables.reduce((s, t) => s + t.bytes, 0)
const goal = (m: Measured) => (totalOf(m) / m.events <= GOAL ? 'met' : 'missed')

const columnRows = results.flatMap((m) =>
  m.columns
    .filter((c) => c.bytes / m.events >= 1)
    .map((c) => [
      m.history,
      `${c.table}.${c.column}`,
      fixed(c.bytes / m.events),
      fixed(c.raw / m.events),
    ]),
)

const markdown = `
## Disk: bytes per event

${runContext(`cd bench && npx tsx storage/disk.ts --events ${events} --users ${users}`)}

${int(events)} events of ${int(users)} users, each history on a fresh embedded store, measured
once background merges finished: active parts of every table (\`system.parts\`, bytes on disk:
data, marks, primary index, checksums). **insights**: the insights benchmark's history, ten event
names, a tiny constant \`properties\`, inserted straight into \`events_in\` (so \`event_ids\` is
empty). **batch**: the same kind of events sent through \`POST /v1/batch\`, batches of 1,000,
60 days replayed in time order (so \`event_ids\` holds every id).

| table | insights B/event | insights rows | batch B/event | batch rows |
| --- | --- | --- | --- | --- |
${names.map((n) => `| \`${n}\` | ${perEvent(insights, n)} | ${rowsOf(insights, n)} | ${perEvent(batch, n)} | ${rowsOf(batch, n)} |`).join('\n')}
| **total** | **${fixed(totalOf(insights) / insights.events)}** (${mb(totalOf(insights))}) | | **${fixed(totalOf(batch) / batch.events)}** (${mb(totalOf(batch))}) | |

Goal ≤ ${GOAL} bytes per event in total: insights ${goal(insights)}, batch ${goal(batch)}.

Columns of at least 1 byte per event (compressed, and before compression; parts small enough to
be stored in compact form, one file for all columns, are left out, so columns sum to less than
their tables):

${table(['history', 'column', 'B/event', 'uncompressed B/event'], columnRows)}
`

console.log(markdown)
if (!values['no-write']) writeSection('disk', markdown)
