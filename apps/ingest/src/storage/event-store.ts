/**
 * @module
 * The statements of a group commit: which ids are already stored (`event_ids`), the insert of
 * the new activity into `events_in` (whose materialized views fill `events` and the
 * aggregates), the insert of the traits of new `identify` and `group` events into `traits`,
 * and, only after those succeeded, the insert of every new id into `event_ids`. An id in
 * `event_ids` therefore means every table has the event.
 */
import { Readable } from 'node:stream'
import type { Storage } from './client.js'
import { withDeadline } from './deadline.js'
import { eventsInColumns } from './migrations/0001-init.js'
import { traitsColumns } from './migrations/0006-traits.js'

/** The column names of a DDL column list, in order. */
const columnNames = (ddl: string) =>
  ddl
    .split(',\n')
    .map((column) => column.trim().split(' ')[0])
    .join(', ')

/** The column names of `events_in`, in the order of its DDL and of each row's `line`. */
const EVENTS_IN_COLUMNS = columnNames(eventsInColumns)

/** The column names of `traits`, in the order of each row's `traits` lines. */
const TRAITS_COLUMNS = columnNames(traitsColumns)

const TSV_SPECIAL = /[\\\t\n\r]/
const TSV_SPECIALS = /[\\\t\n\r]/g
const TSV_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' }

/** A string as a TabSeparated field: backslash, tab and line breaks escaped. */
export const tsvField = (text: string): string =>
  TSV_SPECIAL.test(text) ? text.replace(TSV_SPECIALS, (c) => TSV_ESCAPES[c] as string) : text

/**
 * One event to store. `line` is its `events_in` row as a TabSeparated line (no line break),
 * with the columns {@link EVENTS_IN_COLUMNS}, for activity (`track`, `seen`); `traits` is the
 * `traits` rows of an `identify` or `group` event, TabSeparated lines with the columns
 * {@link TRAITS_COLUMNS}, each ending in a line break. The other fields are what the writer
 * needs to deduplicate it and record its id.
 */
export interface EventRow {
  project_id: string
  /** Lower-case UUID. */
  id: string
  /** The user, or `''` (a `group` event sent without one). */
  user_id: string
  /** Receive time, `YYYY-MM-DD hh:mm:ss.sss` UTC. */
  received_at: string
  /** The `events_in` line; absent for events that are not activity. */
  line?: string
  /** The `traits` lines (possibly none) of an `identify` or `group` event. */
  traits?: string
}

/** Ids per lookup query; keeps the query parameters well under HTTP URL limits. */
const LOOKUP_CHUNK = 5000

/** The key of an event for deduplication: ids are unique per project. */
export const eventKey = (projectId: string, id: string): string => `${projectId} ${id}`

/** Keys (see {@link eventKey}) of the given events that `event_ids` already holds. */
export async function storedKeys(
  storage: Storage,
  events: readonly { project_id: string; id: string }[],
): Promise<Set<string>> {
  const found = new Set<string>()
  for (let start = 0; start < events.length; start += LOOKUP_CHUNK) {
    const chunk = events.slice(start, start + LOOKUP_CHUNK)
    const projects = [...new Set(chunk.map((e) => e.project_id))]
    const rows = await withDeadline(storage, 'the lookup of stored ids', async (signal) => {
      const result = await storage.client.query({
        query: `SELECT project_id, toString(id) AS id FROM ${storage.database}.event_ids
                WHERE project_id IN (SELECT arrayJoin({projects:Array(String)}))
                  AND id IN (SELECT arrayJoin({ids:Array(UUID)}))`,
        query_params: { projects, ids: chunk.map((e) => e.id) },
        format: 'JSONCompactEachRow',
        abort_signal: signal,
      })
      return result.json<[string, string]>()
    })
    for (const [project, id] of rows) found.add(eventKey(project, id))
  }
  return found
}

/** Stored ids read per query while loading them all; bounds the memory of one answer. */
const LOAD_CHUNK = 500_000

/**
 * Call `add` with the key (see {@link eventKey}) of every id in `event_ids`, reading them in
 * slices of about `chunk` ids (by a hash of the id), so memory stays bounded however many
 * are stored.
 * @param chunk ids per query. @default 500_000
 */
export async function forEachStoredKey(
  storage: Storage,
  add: (key: string) => void,
  chunk = LOAD_CHUNK,
): Promise<void> {
  const table = `${storage.database}.event_ids`
  const counted = await storage.client.query({
    query: `SELECT count() AS n FROM ${table}`,
    format: 'JSONEachRow',
  })
  const total = Number((await counted.json<{ n: string | number }>())[0]?.n ?? 0)
  const slices = Math.max(1, Math.ceil(total / chunk))
  for (let slice = 0; slice < slices; slice++) {
    const result = await storage.client.query({
      query: `SELECT project_id, toString(id) FROM ${table}
              WHERE cityHash64(id) % {slices:UInt32} = {slice:UInt32}`,
      query_params: { slices, slice },
      format: 'TabSeparated',
    })
    const text = await result.text()
    let start = 0
    while (start < text.length) {
      let end = text.indexOf('\n', start)
      if (end < 0) end = text.length
      const tab = text.indexOf('\t', start)
      // Project ids are identifiers (no tab, newline or backslash to unescape).
      if (tab > start && tab < end) add(eventKey(text.slice(start, tab), text.slice(tab + 1, end)))
      start = end + 1
    }
  }
}

/**
 * The insert into `events_in` has its materialized views write their tables side by side
 * (`parallel_view_processing`) instead of one after the other: on embedded chDB that about
 * halves the time of a group insert (docs/benchmarks.md, section 3). It changes neither what is
 * stored nor when the insert returns: once every view has written its rows, or with the error
 * of the first that failed.
 *
 * Not `async_insert = 0` (chDB's default is 1, yet it does not buffer these inserts): with it,
 * embedded chDB also parses the process's stdin as rows of the insert whenever stdin is a pipe
 * holding bytes. With the default such an insert fails instead (and the bytes are consumed):
 * a service on embedded chDB must not be given data on its stdin.
 */
const VIEWS_SETTINGS = ' SETTINGS parallel_view_processing = 1'

/** One INSERT of TabSeparated lines (serialized once, by the caller) into `columns`. */
async function insertLines(
  storage: Storage,
  table: string,
  columns: string,
  text: string,
  settings = '',
): Promise<void> {
  await withDeadline(storage, `the insert into ${table}`, async (signal) => {
    const result = await storage.client.exec({
      query: `INSERT INTO ${storage.database}.${table} (${columns})${settings} FORMAT TabSeparated`,
      values: Readable.from([text]),
      abort_signal: signal,
    })
    // Read the (empty) answer to its end so the connection can be reused.
    for await (const _ of result.stream) {
    }
  })
}

/**
 * Store events: one insert into `events_in` (activity), one into `traits` (when the events
 * carry any), then one into `event_ids` (every event).
 */
export async function insertEvents(storage: Storage, rows: readonly EventRow[]): Promise<void> {
  if (rows.length === 0) return
  const lines = rows.flatMap((r) => (r.line === undefined ? [] : [r.line]))
  if (lines.length) {
    await insertLines(
      storage,
      'events_in',
      EVENTS_IN_COLUMNS,
      `${lines.join('\n')}\n`,
      VIEWS_SETTINGS,
    )
  }
  const traits = rows.map((r) => r.traits ?? '').join('')
  if (traits) await insertLines(storage, 'traits', TRAITS_COLUMNS, traits)
  const ids = rows.map(
    (r) => `${tsvField(r.project_id)}\t${r.id}\t${tsvField(r.user_id)}\t${r.received_at}\n`,
  )
  await insertLines(storage, 'event_ids', 'project_id, id, user_id, received_at', ids.join(''))
}
