/**
 * @module
 * Users or accounts that went quiet: seen before, but not within `after`. Each comes with how
 * active it used to be (active days and events in the 30 days ending on its last-seen day), so
 * the list can be sorted by what the team is losing, and with its traits, so the team knows
 * whom to write to.
 */
import { z } from 'zod'
import type { Storage } from '../storage/client.js'
import { num, rows } from '../storage/query.js'
import { clickHouseTime, isoTime } from '../storage/time.js'
import { countSchema, timeSchema } from './activity.js'
import { addDays } from './days.js'
import { accountMembers, pageByActivity, pageByMrr, pageBySeen, userDays } from './inactive-sql.js'
import { type Traits, traitsOf, traitsSchema } from './traits.js'

/** `mrr` (the account trait) is for `level=account` only. */
export type InactiveSort = 'last_seen' | 'first_seen' | 'active_days' | 'events' | 'mrr'

/** One quiet user or account. */
interface InactiveItem {
  /** Set for `level=user`. */
  userId?: string
  /** For `level=user`, the user's account (or null); for `level=account`, the account. */
  accountId: string | null
  firstSeen: string
  lastSeen: string
  /** Whole days since last seen. */
  inactiveDays: number
  /** For `level=account`: how many users the account has. */
  users?: number
  /** Active days and track events in the 30 days ending on the last-seen day. */
  priorActivity: { activeDays: number; events: number }
  /** The user's or account's traits; `{}` when none. */
  traits: Traits
}

/** The answer of `GET /v1/inactive`. */
export interface InactiveAnswer {
  level: 'user' | 'account'
  /** Last seen before this time means inactive (now minus `after`). */
  cutoff: string
  /** How many match, over every page. */
  total: number
  limit: number
  offset: number
  /** `offset` of the next page, or null on the last page. */
  nextOffset: number | null
  items: InactiveItem[]
}

/** Schema of {@link InactiveAnswer}, as documented in the OpenAPI document. */
export const inactiveAnswerSchema = z.strictObject({
  level: z.enum(['user', 'account']),
  cutoff: timeSchema.describe('Last seen before this time means inactive (now minus `after`).'),
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
      firstSeen: timeSchema,
      lastSeen: timeSchema,
      inactiveDays: countSchema.describe('Whole days since last seen.'),
      users: countSchema
        .exactOptional()
        .describe('For `level=account`: how many users the account has.'),
      priorActivity: z
        .strictObject({ activeDays: countSchema, events: countSchema })
        .describe('Active days and track events in the 30 days ending on the last-seen day.'),
      traits: traitsSchema,
    }),
  ),
}) satisfies z.ZodType<InactiveAnswer>

export interface InactiveQuery {
  level: 'user' | 'account'
  afterMs: number
  sort: InactiveSort
  order: 'asc' | 'desc'
  limit: number
  offset: number
}

const sortColumn: Record<InactiveSort, string> = {
  last_seen: 'lastSeen',
  first_seen: 'firstSeen',
  active_days: 'days',
  events: 'events',
  mrr: 'mrr',
}

interface PageRow {
  id: string
  accountId: string | null
  firstSeen: string
  lastSeen: string
  total: string
}

/** One page of the quiet users or accounts of a project, as seen at `now`. */
export async function inactive(
  storage: Storage,
  projectId: string,
  q: InactiveQuery,
  now: number,
): Promise<InactiveAnswer> {
  const cutoff = now - q.afterMs
  const order = `${sortColumn[q.sort]} ${q.order === 'asc' ? 'ASC' : 'DESC'}`
  const byActivity = q.sort === 'active_days' || q.sort === 'events'
  const sql =
    q.sort === 'mrr'
      ? pageByMrr(order)
      : byActivity
        ? pageByActivity[q.level](order)
        : pageBySeen(q.level, order)
  const page = (limit: number, offset: number) =>
    rows<PageRow>(storage, sql, {
      project: projectId,
      cutoff: clickHouseTime(cutoff),
      subject: 'account',
      limit,
      offset,
    })
  const found = await page(q.limit, q.offset)
  // Past the last page there is no row to carry the total: count from the first row.
  const total = num((found.length > 0 || q.offset === 0 ? found : await page(1, 0))[0]?.total)
  const prior = await priorActivity(storage, projectId, q.level, found)
  const traits = await traitsOf(
    storage,
    projectId,
    q.level,
    found.map((r) => r.id),
  )
  const items = found.map((r): InactiveItem => {
    const lastSeen = isoTime(r.lastSeen) ?? ''
    const p = prior.get(r.id)
    return {
      ...(q.level === 'user' ? { userId: r.id } : { users: p?.users ?? 0 }),
      accountId: r.accountId,
      firstSeen: isoTime(r.firstSeen) ?? '',
      lastSeen,
      inactiveDays: Math.floor((now - Date.parse(lastSeen)) / 86_400_000),
      priorActivity: { activeDays: p?.days.size ?? 0, events: p?.events ?? 0 },
      traits: traits.get(r.id) ?? {},
    }
  })
  const next = q.offset + items.length
  return {
    level: q.level,
    cutoff: new Date(cutoff).toISOString(),
    total,
    limit: q.limit,
    offset: q.offset,
    nextOffset: items.length > 0 && next < total ? next : null,
    items,
  }
}

/**
 * Exact active days and events in the 30 days ending on each entity's last-seen day. `lastSeen` is
 * the last-seen time, ISO 8601 or as ClickHouse prints it: its first ten characters are the day.
 */
export async function priorActivity(
  storage: Storage,
  projectId: string,
  level: 'user' | 'account',
  page: { id: string; lastSeen: string }[],
): Promise<Map<string, { days: Set<string>; events: number; users: number }>> {
  const out = new Map<string, { days: Set<string>; events: number; users: number }>()
  if (page.length === 0) return out
  const lastDay = new Map(page.map((r) => [r.id, r.lastSeen.slice(0, 10)]))
  const days = [...lastDay.values()].sort()
  // For accounts, the days of their users, each counted for the user's account.
  const accountOf = new Map<string, string>()
  if (level === 'account') {
    const members = await rows<{ user_id: string; accountId: string }>(storage, accountMembers, {
      project: projectId,
      ids: page.map((r) => r.id),
    })
    for (const m of members) {
      accountOf.set(m.user_id, m.accountId)
      const entry = out.get(m.accountId) ?? { days: new Set<string>(), events: 0, users: 0 }
      out.set(m.accountId, entry)
      entry.users += 1
    }
  }
  const ids = level === 'user' ? page.map((r) => r.id) : [...accountOf.keys()]
  const found =
    ids.length === 0
      ? []
      : (
          await rows<{ id: string; d: string; n: string }>(storage, userDays, {
            project: projectId,
            ids,
            lo: addDays(days[0] ?? '', -29),
            hi: days.at(-1) ?? '',
          })
        ).map((r) => (level === 'user' ? r : { ...r, id: accountOf.get(r.id) ?? '' }))
  for (const r of found) {
    const entry = out.get(r.id) ?? { days: new Set<string>(), events: 0, users: 0 }
    out.set(r.id, entry)
    const last = lastDay.get(r.id) ?? ''
    if (r.d > last || r.d <= addDays(last, -30)) continue
    entry.days.add(r.d)
    entry.events += num(r.n)
  }
  return out
}
