/**
 * @module
 * What each new episode's claim holds: a message of its own, or the episode held for a digest.
 *
 * - Episodes that began over an hour before the project's watch mark (the monitor's first look
 *   at it, or an import into it) are history, revealed by a backfill: they go to its summary.
 * - In instant mode, more than `max` other new episodes of a project in one check go to one
 *   digest; at most `max` get a message each.
 * - In digest mode, they wait for the next scheduled digest.
 */
import type { DigestAt } from '../config.js'
import type { Built } from './build-claims.js'
import { type Claim, notificationId } from './claims.js'
import { type Held, heldPayload, nextSlot } from './digest.js'
import type { Candidate } from './episodes.js'
import type { WebhookFormat } from './payload.js'
import { type Channel, renderMessage } from './render.js'

/**
 * How long before a project's watch mark an episode must have begun to count as revealed by a
 * backfill or an import: events arrive late by seconds to minutes (batching, retries, clients
 * offline for a while), and an episode found that way is news, not history.
 */
const BACKFILL_GRACE_MS = 3_600_000

export interface PlanOptions {
  now: number
  channels: Channel[]
  format: WebhookFormat
  mode: 'instant' | 'digest'
  max: number
  digestAt: DigestAt
  inactiveAfterMs: number
}

/** When an episode began: when it crossed the threshold, came back, or began declining. */
function began(c: Candidate, inactiveAfterMs: number): number {
  if (c.kind === 'inactive') return Date.parse(c.lastSeen) + inactiveAfterMs
  return Date.parse(c.kind === 'returned' ? c.lastSeen : c.since)
}

/** A lease-0 claim per new episode and channel; `watched` has each project's watch mark (ms). */
export function planClaims(built: Built[], watched: Map<string, number>, o: PlanOptions): Claim[] {
  const byProject = new Map<string, Built[]>()
  for (const b of built) {
    const list = byProject.get(b.candidate.projectId) ?? []
    byProject.set(b.candidate.projectId, list)
    list.push(b)
  }
  const claims: Claim[] = []
  const at = new Date(o.now).toISOString()
  for (const [projectId, list] of byProject) {
    const mark = (watched.get(projectId) ?? Number.NEGATIVE_INFINITY) - BACKFILL_GRACE_MS
    const early = list.filter((b) => began(b.candidate, o.inactiveAfterMs) < mark)
    const live = list.filter((b) => began(b.candidate, o.inactiveAfterMs) >= mark)
    const liveHeld: Held['held'] | undefined =
      o.mode === 'digest'
        ? { reason: 'scheduled', slot: new Date(nextSlot(o.now, o.digestAt)).toISOString() }
        : live.length > o.max
          ? { reason: 'cap', slot: at }
          : undefined
    for (const [items, held] of [
      [early, { reason: 'backfill', slot: at }],
      [live, liveHeld],
    ] as const) {
      for (const { candidate, notification } of items) {
        for (const channel of o.channels) {
          const id = notificationId(candidate, channel)
          const n = { ...notification, id }
          claims.push({
            candidate,
            channel,
            notificationId: id,
            lease: 0,
            payload: held
              ? heldPayload({ held, notification: n })
              : renderMessage(n, channel === 'email' ? 'email' : o.format),
          })
        }
      }
    }
  }
  return claims
}
