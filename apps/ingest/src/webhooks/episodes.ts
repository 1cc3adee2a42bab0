/**
 * @module
 * Inactivity episodes, from the aggregates and `webhook_claims`.
 *
 * A user (or account) enters episode `seq + 1` when its last seen falls behind the threshold
 * while it has no open episode; the episode is open until its `returned` notification is
 * claimed. Only entities that crossed the threshold within the last `after` are new episodes,
 * so a first start on a long backfilled history does not announce years-old departures (those
 * are in `GET /v1/inactive`). An open episode whose inactive notification was delivered ends
 * when the entity is seen again within the threshold.
 */

import type { Storage } from '../storage/client.js'
import { num, rows } from '../storage/query.js'
import { clickHouseTime, isoTime } from '../storage/time.js'
import type { Kind, Level } from './payload.js'

/** A notification to claim: which entity, which episode, and the times it reports. */
export interface Candidate {
  projectId: string
  level: Level
  entityId: string
  accountId: string | null
  seq: number
  kind: Kind
  /** Last seen now. */
  lastSeen: string
  /** Last seen when the episode began (for `inactive`, the same as `lastSeen`). */
  since: string
}

const current: Record<Level, string> = {
  user: `SELECT project_id, user_id AS entity_id, max(last_seen) AS lastSeen, anyLast(account_id) AS accountId
         FROM {db}.users GROUP BY project_id, user_id`,
  account: `SELECT project_id, account_id AS entity_id, max(last_seen) AS lastSeen,
              account_id AS accountId FROM {db}.accounts GROUP BY project_id, account_id`,
}

/** The latest episode of every entity of a level that has one. */
const episodes = `
  SELECT project_id, entity_id, seq,
         countIf(kind = 'returned' AND state = 'claimed') > 0 AS has_returned,
         countIf(kind = 'inactive' AND state = 'delivered') > 0 AS inactive_delivered,
         argMinIf(since, (lease, at, claimer), kind = 'inactive' AND state = 'claimed') AS since
  FROM {db}.webhook_claims WHERE level = {level:String}
  GROUP BY project_id, entity_id, seq
  ORDER BY seq DESC LIMIT 1 BY project_id, entity_id`

interface Row {
  project_id: string
  entity_id: string
  accountId: string | null
  lastSeen: string
  seq: string
  since: string
}

/** The notifications due at `now` for threshold `afterMs`: new episodes and returns. */
export async function dueNotifications(
  storage: Storage,
  level: Level,
  now: number,
  afterMs: number,
): Promise<Candidate[]> {
  const params = {
    level,
    cutoff: clickHouseTime(now - afterMs),
    floor: clickHouseTime(now - 2 * afterMs),
  }
  const quiet = await rows<Row>(
    storage,
    `SELECT c.project_id AS project_id, c.entity_id AS entity_id, c.accountId AS accountId, c.lastSeen AS lastSeen,
            e.seq + 1 AS seq, c.lastSeen AS since
     FROM (${current[level]}
           HAVING lastSeen < {cutoff:DateTime64(3, 'UTC')} AND lastSeen >= {floor:DateTime64(3, 'UTC')}) AS c
     LEFT JOIN (${episodes}) AS e ON e.project_id = c.project_id AND e.entity_id = c.entity_id
     WHERE e.seq = 0 OR e.has_returned`,
    params,
  )
  const back = await rows<Row>(
    storage,
    `SELECT e.project_id AS project_id, e.entity_id AS entity_id, c.accountId AS accountId, c.lastSeen AS lastSeen,
            e.seq AS seq, e.since AS since
     FROM (${episodes}) AS e
     INNER JOIN (${current[level]}) AS c
       ON c.project_id = e.project_id AND c.entity_id = e.entity_id
     WHERE NOT e.has_returned AND e.inactive_delivered
       AND c.lastSeen > e.since AND c.lastSeen >= {cutoff:DateTime64(3, 'UTC')}`,
    params,
  )
  const toCandidate =
    (kind: Kind) =>
    (r: Row): Candidate => ({
      projectId: r.project_id,
      level,
      entityId: r.entity_id,
      accountId: r.accountId,
      seq: num(r.seq),
      kind,
      lastSeen: isoTime(r.lastSeen) ?? '',
      since: isoTime(r.since) ?? '',
    })
  return [...quiet.map(toCandidate('inactive')), ...back.map(toCandidate('returned'))]
}
