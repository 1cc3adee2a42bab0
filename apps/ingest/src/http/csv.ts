/**
 * @module
 * Lists as CSV (RFC 4180): the `?format=csv` of the read API's lists and the dashboard's
 * exports. One serializer for every list: each item is flattened into columns named by their
 * path (`priorActivity.events`, `traits.email`), the columns of every item in order of first
 * appearance, so a list gains columns (traits, say) without a change here.
 *
 * A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
 * as a formula, and user ids, names and e-mails are whatever the tracked product sent. As
 * OWASP advises ("CSV Injection"), such a text cell is prefixed with `'` and every cell that
 * needs it is quoted; numbers are written as numbers, so `-3` stays a number.
 */
import type { Context } from 'hono'

/** A cell's value: text and numbers as they are, `null`/missing as an empty cell. */
type Cell = string | number | boolean | null | undefined

/** Characters that make a spreadsheet read a cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/

/** One cell, escaped: a formula-looking text defused, quoted when it holds `,`, `"` or a line break. */
export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return ''
  if (typeof value !== 'string') return String(value)
  const text = FORMULA_START.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(text) || text !== value ? `"${text.replaceAll('"', '""')}"` : text
}

/** `item` as path → value; arrays and other non-plain values are written as JSON. */
function flatten(item: object, prefix = '', out = new Map<string, Cell>()): Map<string, Cell> {
  for (const [key, value] of Object.entries(item)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      flatten(value as object, path, out)
    } else if (Array.isArray(value)) {
      out.set(path, JSON.stringify(value))
    } else {
      out.set(path, value as Cell)
    }
  }
  return out
}

/**
 * The items as CSV: a header row of column paths, then one row per item, CRLF line ends.
 * `first` are columns always written, first and in that order (so an empty list still has its
 * header); the items' other columns follow.
 */
export function toCsv(items: readonly object[], first: readonly string[] = []): string {
  const flat = items.map((item) => flatten(item))
  const columns = [...first]
  const known = new Set<string>(first)
  for (const row of flat) {
    for (const key of row.keys()) {
      if (!known.has(key)) {
        known.add(key)
        columns.push(key)
      }
    }
  }
  const lines = [
    columns.map(csvCell).join(','),
    ...flat.map((row) => columns.map((c) => csvCell(row.get(c))).join(',')),
  ]
  return `${lines.join('\r\n')}\r\n`
}

/** A CSV answer of `items`, downloaded as `filename`. */
export function csvAnswer(
  c: Context,
  items: readonly object[],
  filename: string,
  first: readonly string[] = [],
): Response {
  return c.body(toCsv(items, first), 200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`,
  })
}

/**
 * A list of the read API as asked by its `format`: the JSON answer, or its items as CSV (the
 * same page: `limit` and `offset` apply; `first` are the columns always written).
 */
export function listAnswer(
  c: Context,
  format: 'json' | 'csv',
  answer: { items: readonly object[] },
  filename: string,
  first: readonly string[] = [],
): Response {
  return format === 'csv' ? csvAnswer(c, answer.items, filename, first) : c.json(answer)
}
