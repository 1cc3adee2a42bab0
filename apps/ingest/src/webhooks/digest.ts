/**
 * @module
 * Digests: one message standing for many episodes. An episode held for a digest is claimed like
 * any other (exactly once), but its claim stores the episode's lastseen notification in a
 * {@link Held} envelope instead of a message body. The process that won a group of held claims
 * builds their digest, whose claim carries the members; when the digest is delivered, every
 * member is recorded delivered with it, in the same insert.
 *
 * - `backfill`: episodes that began before the monitor first looked at the project, or before
 *   an import: one summary, with the size of the quiet and slipping lists as they are now.
 * - `cap`: more than `LASTSEEN_NOTIFY_MAX` new episodes in one check.
 * - `scheduled`: `LASTSEEN_NOTIFY=digest`: everything that changed, at `LASTSEEN_DIGEST_AT`.
 */
import type { Traits } from '../insights/traits.js'
import type { Level, Notification } from './payload.js'

export type DigestReason = 'backfill' | 'cap' | 'scheduled'

/** What the claim of an episode held for a digest stores instead of a message body. */
export interface Held {
  held: { reason: DigestReason /** Not sent before this time (ISO 8601). */; slot: string }
  notification: Notification
}

export const heldPayload = (h: Held): string => JSON.stringify(h)

/** The envelope of a held episode's claim, or undefined for a message body. */
export function parseHeld(payload: string): Held | undefined {
  return payload.startsWith('{"held":') ? (JSON.parse(payload) as Held) : undefined
}

/** Users and accounts. */
export interface LevelCounts {
  users: number
  accounts: number
}

/** The lastseen body of a digest. */
export interface Digest {
  /** Stable for the digest: the same on every retry. */
  id: string
  type: 'digest'
  reason: DigestReason
  createdAt: string
  project: string
  /** The episodes this digest stands for, by what changed. */
  counts: { quiet: LevelCounts; slipping: LevelCounts; returned: LevelCounts }
  /** For `backfill`: the quiet (`GET /v1/inactive`) and slipping (`GET /v1/declining`) lists, as they are now. */
  totals?: { quiet: LevelCounts; slipping: LevelCounts }
  /** The episodes worth the most first (account `mrr`, then prior activity), each a lastseen notification. */
  top: Notification[]
  /** Episodes counted but not listed in `top`. */
  more: number
  /** The dashboard, when `LASTSEEN_PUBLIC_URL` is set. */
  dashboardUrl?: string
}

/** A digest's claim payload: the members it records, and the message body it sends. */
export interface DigestEnvelope {
  members: DigestMember[]
  body: string
}

/** What recording a member delivered needs. */
export interface DigestMember {
  notificationId: string
  lease: number
  projectId: string
  level: Level
  entityId: string
  seq: number
  kind: 'inactive' | 'returned' | 'declining'
  since: string
}

const accountTraitsOf = (n: Notification): Traits | undefined =>
  n.type.startsWith('user.') ? n.data.accountTraits : n.data.traits

/** What an episode is worth for ordering: the account's `mrr`, then how active it was. */
function worth(n: Notification): [number, number] {
  const mrr = accountTraitsOf(n)?.mrr
  const activity = n.data.priorActivity?.activeDays ?? n.data.expected ?? 0
  return [typeof mrr === 'number' && Number.isFinite(mrr) ? mrr : -1, activity]
}

/** Most valuable first; ties by id, so every process orders alike. */
export function byWorth(a: Notification, b: Notification): number {
  const [ma, aa] = worth(a)
  const [mb, ab] = worth(b)
  return mb - ma || ab - aa || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

const zero = (): LevelCounts => ({ users: 0, accounts: 0 })

/** The digest of `members`, the `top` most valuable listed. */
export function digestOf(
  members: Notification[],
  d: Pick<Digest, 'id' | 'reason' | 'createdAt' | 'project' | 'totals' | 'dashboardUrl'>,
  top: number,
): Digest {
  const counts = { quiet: zero(), slipping: zero(), returned: zero() }
  for (const n of members) {
    const [level, kind] = n.type.split('.') as [Level, string]
    const bucket = kind === 'inactive' ? 'quiet' : kind === 'declining' ? 'slipping' : 'returned'
    counts[bucket][level === 'user' ? 'users' : 'accounts']++
  }
  const sorted = [...members].sort(byWorth)
  return {
    id: d.id,
    type: 'digest',
    reason: d.reason,
    createdAt: d.createdAt,
    project: d.project,
    counts,
    ...(d.totals ? { totals: d.totals } : {}),
    top: sorted.slice(0, top),
    more: Math.max(0, sorted.length - top),
    ...(d.dashboardUrl ? { dashboardUrl: d.dashboardUrl } : {}),
  }
}

const DAY_MS = 86_400_000

/** The first time after `now` at which a scheduled digest goes out. */
export function nextSlot(now: number, at: { dailyAtMinute: number } | { everyMs: number }): number {
  if ('everyMs' in at) return (Math.floor(now / at.everyMs) + 1) * at.everyMs
  const slot = Math.floor(now / DAY_MS) * DAY_MS + at.dailyAtMinute * 60_000
  return slot > now ? slot : slot + DAY_MS
}
