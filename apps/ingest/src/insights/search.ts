/**
 * @module
 * Finding users or accounts: `GET /v1/users?search=` and `GET /v1/accounts?search=`. A subject
 * matches when its id starts with the text, or its latest `email` or `name` trait contains it,
 * both ignoring case. Subjects known only from their traits (never active) are found too, with
 * no first or last seen.
 */
import { z } from 'zod'
import type { Storage } from '../storage/client.js'
import { num, rows } from '../storage/query.js'
import { isoTime } from '../storage/time.js'
import { countSchema, timeSchema } from './activity.js'
import { type Traits, traitsOf, traitsSchema } from './traits.js'

/** One user or account found. */
interface SearchItem {
  /** Set for users. */
  userId?: string
  /** For users, the account of their latest activity (or null); for accounts, the account. */
  accountId: string | null
  traits: Traits
  /** Null when never active (known only from `identify` or `group`). */
  firstSeen: string | null
  lastSeen: string | null
}

/** The answer of `GET /v1/users` and `GET /v1/accounts`. */
export interface SearchAnswer {
  /** How many match, over every page. */
  total: number
  limit: number
  offset: number
  /** `offset` of the next page, or null on the last page. */
  nextOffset: number | null
  items: SearchItem[]
}

/** Schema of {@link SearchAnswer}, as documented in the OpenAPI document. */
export const searchAnswerSchema = z.strictObject({
  total: countSchema.describe('How many match, over every page.'),
  limit: z.number().int().min(1),
  offset: countSchema,
  nextOffset: countSchema
    .nullable()
    .describe('`offset` of the next page, or null on the last page.'),
  items: z
    .array(
      z.strictObject({
        userId: z.string().exactOptional().describe('Set for users.'),
        accountId: z
          .string()
          .nullable()
          .describe(
            'For users, the account of their latest activity (or null); for accounts, the account.',
          ),
        traits: traitsSchema,
        firstSeen: timeSchema
          .nullable()
          .describe('Null when never active (known only from `identify` or `group`).'),
        lastSeen: timeSchema.nullable().describe('Null when never active.'),
      }),
    )
    .describe('The matches, ordered by id.'),
}) satisfies z.ZodType<SearchAnswer>

export interface SearchQuery {
  search: string
  limit: number
  offset: number
}

/** Where each level's activity is, and its id column. */
const seenTable = {
  user: { table: 'users', column: 'user_id' },
  account: { table: 'accounts', column: 'account_id' },
}

/** Ids matching `{search}`, ordered by id, one page, with the total. */
const matching = (level: 'user' | 'account') => {
  const { table, column } = seenTable[level]
  return `
  SELECT sid, count() OVER () AS total FROM (
    SELECT ${column} AS sid FROM {db}.${table}
    WHERE project_id = {project:String} AND positionCaseInsensitiveUTF8(${column}, {search:String}) = 1
    UNION DISTINCT
    SELECT subject_id AS sid FROM {db}.traits
    WHERE project_id = {project:String} AND subject = {subject:String}
      AND positionCaseInsensitiveUTF8(subject_id, {search:String}) = 1
    UNION DISTINCT
    SELECT subject_id AS sid FROM (
      SELECT subject_id, argMax(tuple(value), (timestamp, id)).1 AS latest FROM {db}.traits
      WHERE project_id = {project:String} AND subject = {subject:String} AND key IN ('email', 'name')
      GROUP BY subject_id, key)
    WHERE latest IS NOT NULL
      AND positionCaseInsensitiveUTF8(JSONExtractString(assumeNotNull(latest)), {search:String}) > 0)
  ORDER BY sid LIMIT {limit:UInt32} OFFSET {offset:UInt32}`
}

/** First and last seen (and a user's account) of a page of ids. */
const seenOf = (level: 'user' | 'account') => {
  const { table, column } = seenTable[level]
  const account = level === 'user' ? 'anyLast(account_id)' : 'any(account_id)'
  return `
  SELECT ${column} AS sid, ${account} AS accountId, min(first_seen) AS firstSeen, max(last_seen) AS lastSeen
  FROM {db}.${table}
  WHERE project_id = {project:String} AND ${column} IN (SELECT arrayJoin({ids:Array(String)}))
  GROUP BY ${column}`
}

/** One page of the users or accounts of a project matching `q.search`. */
export async function search(
  storage: Storage,
  projectId: string,
  level: 'user' | 'account',
  q: SearchQuery,
): Promise<SearchAnswer> {
  const params = { project: projectId, subject: level, search: q.search }
  const page = (limit: number, offset: number) =>
    rows<{ sid: string; total: string }>(storage, matching(level), { ...params, limit, offset })
  const found = await page(q.limit, q.offset)
  // Past the last page there is no row to carry the total: count from the first row.
  const total = num((found.length > 0 || q.offset === 0 ? found : await page(1, 0))[0]?.total)
  const ids = found.map((r) => r.sid)
  const seen = new Map(
    (
      await rows<{ sid: string; accountId: string | null; firstSeen: string; lastSeen: string }>(
        storage,
        seenOf(level),
        { project: projectId, ids },
      )
    ).map((r) => [r.sid, r]),
  )
  const traits = await traitsOf(storage, projectId, level, ids)
  const items = ids.map((id): SearchItem => {
    const s = seen.get(id)
    return {
      ...(level === 'user' ? { userId: id, accountId: s?.accountId ?? null } : { accountId: id }),
      traits: traits.get(id) ?? {},
      firstSeen: s ? isoTime(s.firstSeen) : null,
      lastSeen: s ? isoTime(s.lastSeen) : null,
    }
  })
  const next = q.offset + items.length
  return {
    total,
    limit: q.limit,
    offset: q.offset,
    nextOffset: items.length > 0 && next < total ? next : null,
    items,
  }
}
