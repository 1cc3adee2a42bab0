/**
 * @module
 * Turning a group of held episodes into a digest's claim: the digest in the channel's format,
 * and its members, recorded delivered together with the digest. The digest's id is derived
 * from its members, so the same members make the same digest in every process.
 */

import type { DecliningCriteria } from '../insights/declining.js'
import { declining } from '../insights/declining.js'
import { inactive } from '../insights/inactive.js'
import type { Storage } from '../storage/client.js'
import { type Claim, type ClaimedNotification, idOf } from './claims.js'
import {
  type DigestEnvelope,
  type DigestMember,
  type DigestReason,
  digestOf,
  type LevelCounts,
  parseHeld,
} from './digest.js'
import type { Notification } from './payload.js'
import { type Channel, type MessageFormat, renderMessage } from './render.js'

export interface DigestContext {
  now: number
  inactiveAfterMs: number
  declining: DecliningCriteria
  /** `LASTSEEN_PUBLIC_URL`. */
  publicUrl?: string | undefined
  /** Episodes listed by name. */
  top: number
}

/** How many users and accounts are quiet, and slipping, in `projectId` now. */
async function listTotals(
  storage: Storage,
  projectId: string,
  ctx: DigestContext,
): Promise<{ quiet: LevelCounts; slipping: LevelCounts }> {
  const quiet = (level: 'user' | 'account') =>
    inactive(
      storage,
      projectId,
      {
        level,
        afterMs: ctx.inactiveAfterMs,
        sort: 'last_seen',
        order: 'desc',
        limit: 1,
        offset: 0,
      },
      ctx.now,
    ).then((a) => a.total)
  const slipping = (level: 'user' | 'account') =>
    declining(storage, projectId, { level, ...ctx.declining, limit: 1, offset: 0 }, ctx.now).then(
      (a) => a.total,
    )
  return {
    quiet: { users: await quiet('user'), accounts: await quiet('account') },
    slipping: { users: await slipping('user'), accounts: await slipping('account') },
  }
}

/** The claim of the digest of `members` (held claims of one project, channel and reason). */
export async function digestClaim(
  storage: Storage,
  members: ClaimedNotification[],
  group: {
    projectId: string
    channel: Channel
    format: MessageFormat
    reason: DigestReason
    slot: string
  },
  ctx: DigestContext,
): Promise<Claim> {
  const ids = members.map((m) => m.notificationId).sort()
  const id = idOf([group.projectId, group.channel, 'digest', ...ids])
  const notifications = members
    .map((m) => parseHeld(m.payload)?.notification)
    .filter((n): n is Notification => n !== undefined)
  const totals =
    group.reason === 'backfill' ? await listTotals(storage, group.projectId, ctx) : undefined
  const digest = digestOf(
    notifications,
    {
      id,
      reason: group.reason,
      createdAt: new Date(ctx.now).toISOString(),
      project: group.projectId,
      ...(totals ? { totals } : {}),
      ...(ctx.publicUrl ? { dashboardUrl: `${ctx.publicUrl}/` } : {}),
    },
    ctx.top,
  )
  const envelope: DigestEnvelope = {
    members: members.map(
      (m): DigestMember => ({
        notificationId: m.notificationId,
        lease: m.lease,
        projectId: m.candidate.projectId,
        level: m.candidate.level,
        entityId: m.candidate.entityId,
        seq: m.candidate.seq,
        kind:
          m.candidate.kind === 'digest' || m.candidate.kind === 'watch'
            ? 'inactive'
            : m.candidate.kind,
        since: m.candidate.since,
      }),
    ),
    body: renderMessage(digest, group.format),
  }
  return {
    candidate: {
      projectId: group.projectId,
      level: 'account',
      entityId: `digest:${group.reason}`,
      seq: 0,
      kind: 'digest',
      since: group.slot,
    },
    channel: group.channel,
    notificationId: id,
    lease: 0,
    payload: JSON.stringify(envelope),
  }
}
