/**
 * @module
 * Turning due notifications into what their claims store: the lastseen notification, built once
 * (with how active a newly quiet user or account used to be, and the traits), so every retry
 * sends the same bytes, whichever format or digest it ends up in.
 */
import { priorActivity } from '../insights/inactive.js'
import { type Traits, traitsOf } from '../insights/traits.js'
import type { Storage } from '../storage/client.js'
import { notificationId } from './claims.js'
import type { Candidate } from './episodes.js'
import type { Level, Notification } from './payload.js'

type Prior = { activeDays: number; events: number }

const key = (projectId: string, level: string, id: string) => `${projectId}\n${level}\n${id}`

/** Active days and events before going quiet, for every `inactive` candidate. */
async function priorOf(storage: Storage, due: Candidate[]): Promise<Map<string, Prior>> {
  const out = new Map<string, Prior>()
  const groups = new Map<string, Candidate[]>()
  for (const c of due) {
    if (c.kind !== 'inactive') continue
    const group = `${c.projectId}\n${c.level}`
    groups.set(group, [...(groups.get(group) ?? []), c])
  }
  for (const list of groups.values()) {
    const { projectId, level } = list[0] as Candidate
    const found = await priorActivity(
      storage,
      projectId,
      level,
      list.map((c) => ({ id: c.entityId, lastSeen: c.lastSeen })),
    )
    for (const [id, p] of found) {
      out.set(key(projectId, level, id), { activeDays: p.days.size, events: p.events })
    }
  }
  return out
}

/** The traits of every due user and account, and of the accounts of due users. */
async function traitsFor(storage: Storage, due: Candidate[]): Promise<Map<string, Traits>> {
  const wanted = new Map<string, { projectId: string; level: Level; ids: Set<string> }>()
  const want = (projectId: string, level: Level, id: string) => {
    const group = `${projectId}\n${level}`
    const entry = wanted.get(group) ?? { projectId, level, ids: new Set<string>() }
    wanted.set(group, entry)
    entry.ids.add(id)
  }
  for (const c of due) {
    want(c.projectId, c.level, c.entityId)
    if (c.level === 'user' && c.accountId !== null) want(c.projectId, 'account', c.accountId)
  }
  const out = new Map<string, Traits>()
  for (const { projectId, level, ids } of wanted.values()) {
    for (const [id, traits] of await traitsOf(storage, projectId, level, [...ids])) {
      out.set(key(projectId, level, id), traits)
    }
  }
  return out
}

/** A due notification and its lastseen body (with the webhook channel's id). */
export interface Built {
  candidate: Candidate
  notification: Notification
}

/** The lastseen notification of each due candidate. */
export async function buildNotifications(
  storage: Storage,
  due: Candidate[],
  check: { now: number; inactiveAfterMs: number },
): Promise<Built[]> {
  const prior = await priorOf(storage, due)
  const traits = await traitsFor(storage, due)
  return due.map((c) => {
    const id = notificationId(c)
    const notification: Notification = {
      id,
      type: `${c.level}.${c.kind}`,
      createdAt: new Date(check.now).toISOString(),
      project: c.projectId,
      episode: c.seq,
      inactiveAfterMs: check.inactiveAfterMs,
      ...(c.decline ? { declining: c.decline.criteria } : {}),
      data: {
        ...(c.level === 'user' ? { userId: c.entityId } : {}),
        accountId: c.accountId,
        lastSeen: c.lastSeen,
        ...(c.decline
          ? { recent: c.decline.recent, expected: c.decline.expected, drop: c.decline.drop }
          : c.kind === 'returned'
            ? { inactiveSince: c.since }
            : {
                priorActivity: prior.get(key(c.projectId, c.level, c.entityId)) ?? {
                  activeDays: 0,
                  events: 0,
                },
              }),
        traits: traits.get(key(c.projectId, c.level, c.entityId)) ?? {},
        ...(c.level === 'user' && c.accountId !== null
          ? { accountTraits: traits.get(key(c.projectId, 'account', c.accountId)) ?? {} }
          : {}),
      },
    }
    return { candidate: c, notification }
  })
}
