/**
 * @module
 * Watch marks: when the monitor first looked at a project, and when an import wrote to it. An
 * episode that began before a project's latest mark is history revealed by a backfill, and is
 * summarised rather than announced (see `plan-claims.ts`). Marks are rows of role `watch` in
 * `webhook_claims`, stored as already delivered, so no claim ever waits on them.
 */
import type { Storage } from '../storage/client.js'
import { num, rows } from '../storage/query.js'
import { idOf, insertStates, readSettings } from './claims.js'

/**
 * Record that episodes of `projectIds` that began before now are to be summarised, not
 * announced one by one: `first-look` when the monitor first sees a project, `import` after an
 * import wrote to it. Marks are rows of kind `watch`, stored as already delivered.
 */
export async function markWatched(
  storage: Storage,
  projectIds: string[],
  what: 'first-look' | 'import',
  claimer: string,
) {
  const now = Date.now()
  await insertStates(
    storage,
    projectIds.map((projectId) => ({
      state: 'delivered' as const,
      payload: '',
      item: {
        notificationId: idOf([projectId, 'watch', what, what === 'import' ? now : '']),
        lease: 0,
        channel: 'webhook' as const,
        candidate: {
          projectId,
          level: 'account' as const,
          entityId: what,
          seq: 0,
          kind: 'watch' as const,
          since: new Date(now).toISOString(),
        },
      },
    })),
    claimer,
  )
}

/**
 * For every project, the time (ms, the store's clock) before which an episode that began is
 * summarised: its latest watch mark. A project without one gets its first-look mark now.
 */
export async function watchedSince(
  storage: Storage,
  claimer: string,
): Promise<Map<string, number>> {
  const marks = await rows<{ project_id: string; at: string }>(
    storage,
    `SELECT p.project_id AS project_id, toUnixTimestamp64Milli(m.at) AS at
     FROM (SELECT project_id FROM {db}.projects
           UNION DISTINCT SELECT project_id FROM {db}.webhook_claims WHERE role = 'watch') AS p
     LEFT JOIN (SELECT project_id, max(at) AS at FROM {db}.webhook_claims
                WHERE role = 'watch' GROUP BY project_id) AS m ON m.project_id = p.project_id
     SETTINGS join_use_nulls = 1`,
    {},
    readSettings(storage),
  )
  const out = new Map<string, number>()
  const unseen: string[] = []
  for (const m of marks) {
    if (m.at === null || m.at === undefined) unseen.push(m.project_id)
    else out.set(m.project_id, num(m.at))
  }
  if (unseen.length > 0) {
    await markWatched(storage, unseen, 'first-look', claimer)
    for (const id of unseen) out.set(id, Date.now())
  }
  return out
}
