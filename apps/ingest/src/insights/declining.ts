/**
 * @module
 * Users or accounts still active but much less than before (`GET /v1/declining`, and the
 * `*.declining` webhooks).
 *
 * For a subject and a day `end` (today, counted as a partial day): `recent` = its active days
 * among the `window` days ending on `end`; `base` = its active days among the `baseline` days
 * right before those; `expected = base × window ÷ baseline`. Declining when `recent ≥ 1`,
 * `expected ≥ 2` and `recent ≤ expected × (1 − drop)`, compared as `base × window ≥ 2 ×
 * baseline` and `recent × baseline ≤ base × window × (1 − drop)` so that only `1 − drop` is a
 * fraction. An account's active days are its users' active user-days (each user counted for
 * the latest account it was seen with). Days come from `user_timeline` (a row per user and UTC
 * day; several rows of one day count once), so duplicates never count.
 */
import { z } from 'zod'
import type { Storage } from '../storage/client.js'
import { num, rows } from '../storage/query.js'
import { isoTime } from '../storage/time.js'
import { countSchema, timeSchema } from './activity.js'
import { bitWords, countIn } from './bitsets.js'
import { addDays, dayOf, daysBetween } from './days.js'
import { latestTraits, type Traits, traitsOf, traitsSchema } from './traits.js'

/** What declining means: the window and the baseline in days, and the least drop (0–1]. */
export interface DecliningCriteria {
  windowDays: number
  baselineDays: number
  drop: number
}

/**
 * Per user: `recent_<e>` and `base_<e>` for each end `<e>`. A user's days from `lo` (excluded)
 * to `hi` are one bit mask (see `bitsets.ts`); each count is the number of bits in its range.
 * With `listed`, only the users seen in the window ending on `ends[listed]`: the others have
 * `recent_<listed> = 0`, so they are not declining as of it, and their days are not read.
 */
function userCounts(
  ends: Record<string, string>,
  c: DecliningCriteria,
  oneProject: boolean,
  listed?: string,
) {
  const days = Object.values(ends).sort()
  const lo = addDays(days[0] ?? '', -(c.windowDays + c.baselineDays))
  const hi = days.at(-1) ?? ''
  // Bit i is the day lo + 1 + i.
  const size = daysBetween(lo, hi) - 1
  const counts = Object.entries(ends).map(([e, day]) => {
    const end = daysBetween(lo, day) - 1
    const recent = countIn('d', size, end - c.windowDays, end)
    const base = countIn('d', size, end - c.windowDays - c.baselineDays, end - c.windowDays)
    return `${recent} AS recent_${e}, ${base} AS base_${e}`
  })
  const key = oneProject ? 'user_id' : '(project_id, user_id)'
  const seen =
    listed === undefined
      ? ''
      : `AND ${key} IN (SELECT ${oneProject ? 'user_id' : 'project_id, user_id'} FROM {db}.users
                        WHERE ${oneProject ? 'project_id = {project:String} AND ' : ''}last_seen >= {seenFrom:Date})`
  return {
    sql: `
  SELECT ${oneProject ? '{project:String} AS project_id' : 'project_id'}, id, ${counts.join(',\n      ')}
  FROM (
    SELECT ${oneProject ? '' : 'project_id, '}user_id AS id, ${bitWords('d', 'day - {lo:Date} - 1', size)}
    FROM {db}.user_timeline
    WHERE ${oneProject ? 'project_id = {project:String} AND ' : ''}day > {lo:Date} AND day <= {hi:Date}
      ${seen}
    GROUP BY ${oneProject ? '' : 'project_id, '}user_id)`,
    params: {
      w: c.windowDays,
      b: c.baselineDays,
      drop: c.drop,
      lo,
      hi,
      ...(listed === undefined ? {} : { seenFrom: addDays(ends[listed] ?? '', 1 - c.windowDays) }),
    },
  }
}

/**
 * Per account: the sums of its users' counts. A user's account is the latest one it was seen
 * with (`anyLast` of `users`, as every account answer reads it).
 */
function accountCounts(ends: Record<string, string>, c: DecliningCriteria, oneProject: boolean) {
  const users = userCounts(ends, c, oneProject)
  return {
    sql: `
  SELECT u.project_id AS project_id, m.accountId AS id, ${Object.keys(ends)
    .map((e) => `sum(u.recent_${e}) AS recent_${e}, sum(u.base_${e}) AS base_${e}`)
    .join(', ')}
  FROM (${users.sql}) AS u
  INNER JOIN (SELECT ${oneProject ? '' : 'project_id, '}user_id, anyLast(account_id) AS accountId
              FROM {db}.users ${oneProject ? 'WHERE project_id = {project:String}' : ''}
              GROUP BY ${oneProject ? '' : 'project_id, '}user_id HAVING accountId IS NOT NULL) AS m
    ON ${oneProject ? '' : 'm.project_id = u.project_id AND '}m.user_id = u.id
  GROUP BY project_id, id`,
    params: users.params,
  }
}

/**
 * Per subject of `level`: `project_id`, `id`, and `recent_<e>`, `base_<e>` for each end day
 * `ends[<e>]`; with the query parameters it needs (and {@link isDeclining} needs). Only
 * subjects declining as of `listed` are wanted: users never seen in its window may be left out.
 */
export const subjectCounts = (
  level: 'user' | 'account',
  ends: Record<string, string>,
  c: DecliningCriteria,
  oneProject: boolean,
  listed: string,
) =>
  level === 'user' ? userCounts(ends, c, oneProject, listed) : accountCounts(ends, c, oneProject)

/** SQL: the subject is declining as of end `<e>` (parameters `w`, `b`, `drop`). */
export const isDeclining = (e: string) =>
  `(recent_${e} >= 1 AND base_${e} * {w:UInt32} >= 2 * {b:UInt32}
    AND recent_${e} * {b:UInt32} <= base_${e} * {w:UInt32} * (1 - {drop:Float64}))`

/** `expected` and `drop` of a subject from its counts. */
export function decline(recent: number, base: number, c: DecliningCriteria) {
  const expected = (base * c.windowDays) / c.baselineDays
  return { recent, expected, drop: expected > 0 ? 1 - recent / expected : 0 }
}

/** One declining user or account. */
interface DecliningItem {
  /** Set for `level=user`. */
  userId?: string
  /** For `level=user`, the user's account (or null); for `level=account`, the account. */
  accountId: string | null
  /** Active days (user-days for an account) in the window. */
  recent: number
  /** Active days expected in the window from the baseline: baseline days × window ÷ baseline. */
  expected: number
  /** `1 − recent / expected`, from 0 to 1. */
  drop: number
  lastSeen: string
  /** The user's or account's traits (`{}` when none). */
  traits: Traits
}

/** The answer of `GET /v1/declining`. */
export interface DecliningAnswer {
  level: 'user' | 'account'
  /** The window: `from`..`to` (today, UTC). */
  window: { from: string; to: string; days: number }
  /** The baseline: the days right before the window. */
  baseline: { from: string; to: string; days: number }
  drop: number
  total: number
  limit: number
  offset: number
  nextOffset: number | null
  items: DecliningItem[]
}

const spanSchema = z.strictObject({
  from: z.iso.date(),
  to: z.iso.date(),
  days: z.number().int().min(1),
})

/** Schema of {@link DecliningAnswer}, as documented in the OpenAPI document. */
export const decliningAnswerSchema = z.strictObject({
  level: z.enum(['user', 'account']),
  window: spanSchema.describe('The window: `from`..`to` (today, UTC).'),
  baseline: spanSchema.describe('The baseline: the days right before the window.'),
  drop: z.number().gt(0).max(1),
  total: countSchema.describe('How many match, over every page.'),
  limit: z.number().int().min(1),
  offset: countSchema,
  nextOffset: countSchema
    .nullable()
    .describe('`offset` of the next page, or null on the last page.'),
  items: z.array(
    z.strictObject({
      userId: z.string().exactOptional().describe('Set for `level=user`.'),
      accountId: z
        .string()
        .nullable()
        .describe(
          "For `level=user`, the user's account (or null); for `level=account`, the account.",
        ),
      recent: countSchema.describe('Active days (user-days for an account) in the window.'),
      expected: z
        .number()
        .min(0)
        .describe(
          'Active days expected in the window from the baseline: base × window ÷ baseline.',
        ),
      drop: z.number().min(0).max(1).describe('`1 − recent / expected`, from 0 to 1.'),
      lastSeen: timeSchema,
      traits: traitsSchema,
    }),
  ),
}) satisfies z.ZodType<DecliningAnswer>

export interface DecliningQuery extends DecliningCriteria {
  level: 'user' | 'account'
  limit: number
  offset: number
}

/** The CSV columns of a declining list, always written first (more, such as traits, follow). */
export const decliningColumns: Record<'user' | 'account', readonly string[]> = {
  user: ['userId', 'accountId', 'recent', 'expected', 'drop', 'lastSeen'],
  account: ['accountId', 'recent', 'expected', 'drop', 'lastSeen'],
}

/** Last seen (and, for users, the account) of a page of subjects. */
const seenOf = {
  user: `SELECT user_id AS id, max(last_seen) AS lastSeen, anyLast(account_id) AS accountId
         FROM {db}.users WHERE project_id = {project:String} AND user_id IN (SELECT arrayJoin({ids:Array(String)}))
         GROUP BY user_id`,
  account: `SELECT account_id AS id, max(last_seen) AS lastSeen, account_id AS accountId
            FROM {db}.accounts WHERE project_id = {project:String} AND account_id IN (SELECT arrayJoin({ids:Array(String)}))
            GROUP BY account_id`,
}

/**
 * How a page is ordered: accounts by their `mrr` trait first (largest first, unknown last),
 * then every subject by `expected − recent`, largest first (compared as `base × window −
 * recent × baseline`, exact), then by id.
 */
const pageOrder = {
  user: 'base * {w:UInt32} - recent * {b:UInt32} DESC, id',
  account: 'mrr DESC NULLS LAST, base * {w:UInt32} - recent * {b:UInt32} DESC, id',
}

/** The `mrr` trait of every account that has one that is a number. */
const accountMrr = `
  SELECT subject_id, toFloat64OrNull(assumeNotNull(latest)) AS mrr
  FROM (${latestTraits("AND key = 'mrr'")}) WHERE latest IS NOT NULL`

/** One page of the declining users or accounts of a project, as of `now`, in {@link pageOrder}. */
export async function declining(
  storage: Storage,
  projectId: string,
  q: DecliningQuery,
  now: number,
): Promise<DecliningAnswer> {
  const today = dayOf(now)
  const counts = subjectCounts(q.level, { t: today }, q, true, 't')
  const page = (limit: number, offset: number) =>
    rows<{ id: string; recent: string; base: string; total: string }>(
      storage,
      `SELECT id, recent_t AS recent, base_t AS base, count() OVER () AS total
       FROM (${counts.sql}) AS d
       ${q.level === 'account' ? `LEFT JOIN (${accountMrr}) AS m ON m.subject_id = d.id` : ''}
       WHERE ${isDeclining('t')}
       ORDER BY ${pageOrder[q.level]}
       LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
      {
        project: projectId,
        subject: q.level,
        ...counts.params,
        limit,
        offset,
      },
    )
  const found = await page(q.limit, q.offset)
  // Past the last page there is no row to carry the total: count from the first row.
  const total = num((found.length > 0 || q.offset === 0 ? found : await page(1, 0))[0]?.total)
  const ids = found.map((r) => r.id)
  const seen = new Map(
    ids.length === 0
      ? []
      : (
          await rows<{ id: string; lastSeen: string; accountId: string | null }>(
            storage,
            seenOf[q.level],
            { project: projectId, ids },
          )
        ).map((r) => [r.id, r]),
  )
  const traits = await traitsOf(storage, projectId, q.level, ids)
  const items = found.map((r): DecliningItem => {
    const s = seen.get(r.id)
    return {
      ...(q.level === 'user' ? { userId: r.id } : {}),
      accountId: q.level === 'user' ? (s?.accountId ?? null) : r.id,
      ...decline(num(r.recent), num(r.base), q),
      lastSeen: isoTime(s?.lastSeen ?? '') ?? '',
      traits: traits.get(r.id) ?? {},
    }
  })
  const windowFrom = addDays(today, -(q.windowDays - 1))
  const next = q.offset + items.length
  return {
    level: q.level,
    window: { from: windowFrom, to: today, days: q.windowDays },
    baseline: {
      from: addDays(windowFrom, -q.baselineDays),
      to: addDays(windowFrom, -1),
      days: q.baselineDays,
    },
    drop: q.drop,
    total,
    limit: q.limit,
    offset: q.offset,
    nextOffset: items.length > 0 && next < total ? next : null,
    items,
  }
}
