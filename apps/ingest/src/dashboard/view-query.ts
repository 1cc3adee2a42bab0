/**
 * @module
 * What a dashboard page is asked for, read from its query: the period (`from`, `to`), the
 * quiet threshold (`quiet`), a list's sort and page (`usort`, `uorder`, `uoffset`, or `a…`),
 * the sizes of what the pages show, and how an export reads every page of a list. A value the
 * page does not understand falls back to its default; a bad period is also said on the page.
 */
import { DEFAULTS, formatDuration, parseDuration } from '../config.js'
import { BadParameter } from '../errors.js'
import type { InactiveSort } from '../insights/inactive.js'
import {
  inactiveFields,
  MAX_LIST_LIMIT,
  parseQuery,
  resolveRange,
  summaryQuery,
} from '../insights/params.js'
import type { ListState } from './inactive-table.js'

/** Rows of a quiet list on the overview. */
export const LIST_LENGTH = 25

/** Most rows of a CSV export of a quiet list (pages of {@link MAX_LIST_LIMIT} are read in turn). */
const MAX_EXPORT_ROWS = 50_000

/** Every item of a paginated list, a page of {@link MAX_LIST_LIMIT} at a time, up to {@link MAX_EXPORT_ROWS}. */
export async function allPages<T extends object>(
  page: (limit: number, offset: number) => Promise<{ items: T[]; nextOffset: number | null }>,
): Promise<T[]> {
  const items: T[] = []
  let offset: number | null = 0
  while (offset !== null && items.length < MAX_EXPORT_ROWS) {
    const found: { items: T[]; nextOffset: number | null } = await page(MAX_LIST_LIMIT, offset)
    items.push(...found.items)
    offset = found.nextOffset
  }
  return items.slice(0, MAX_EXPORT_ROWS)
}

/** Quiet thresholds offered on the page, next to the service's own. */
const QUIET_CHOICES = ['7d', '14d', '30d']

/** Users, and accounts, listed by a search. */
export const SEARCH_LENGTH = 50

/** Rows of each Slipping list on the overview (the CSV has them all). */
export const SLIPPING_LENGTH = 10

/** How the overview asks `GET /v1/declining`: the service's defaults. */
export const slipping = (level: 'user' | 'account', limit: number, offset: number) => ({
  level,
  windowDays: DEFAULTS.decliningWindowDays,
  baselineDays: DEFAULTS.decliningBaselineDays,
  drop: DEFAULTS.decliningDrop,
  limit,
  offset,
})

/** Days of an account's activity trend. */
export const TREND_DAYS = 90

/** The quiet thresholds to offer: 7, 14 and 30 days and the service's, shortest first. */
export const quietChoices = (afterMs: number) =>
  [...new Set([...QUIET_CHOICES, formatDuration(afterMs)])].sort(
    (a, b) => parseDuration(a) - parseDuration(b),
  )

/** The quiet threshold asked by `quiet`, when it is one offered; else the service's. */
export const quietOf = (query: Record<string, string>, choices: string[], afterMs: number) =>
  query.quiet && choices.includes(query.quiet) ? query.quiet : formatDuration(afterMs)

/**
 * The period asked by `from`/`to` (checked like the read API's; the 30 days ending today by
 * default), or the default and the reason when they do not make a period.
 */
export function periodOf(query: Record<string, string>, now: number) {
  try {
    const asked = parseQuery(
      summaryQuery,
      Object.fromEntries(Object.entries(query).filter(([k]) => k === 'from' || k === 'to')),
    )
    return { range: resolveRange(asked, now) }
  } catch (err) {
    if (!(err instanceof BadParameter)) throw err
    return { range: resolveRange({}, now), error: `${err.message}: showing the last 30 days` }
  }
}

/** A list's sort and page from `usort`, `uorder`, `uoffset` (or `a…`); defaults when invalid. */
export function listFrom(
  query: Record<string, string>,
  prefix: 'u' | 'a' | '',
  level: 'user' | 'account' = prefix === 'a' ? 'account' : 'user',
): ListState {
  const shape = inactiveFields.pick({ sort: true, order: true, offset: true })
  const parsed = shape.safeParse({
    sort: query[`${prefix}sort`],
    order: query[`${prefix}order`],
    offset: query[`${prefix}offset`],
  })
  // `mrr` is an account trait: it sorts accounts only.
  return parsed.success && !(level === 'user' && parsed.data.sort === 'mrr')
    ? {
        sort: parsed.data.sort as InactiveSort,
        order: parsed.data.order,
        offset: parsed.data.offset,
      }
    : { sort: 'last_seen', order: 'desc', offset: 0 }
}
