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
 *
 * A declining episode (`*.declining`) begins on the UTC day a subject enters the declining list
 * (see `insights/declining.ts`): declining as of today (today counted as a partial day) and not
 * as of yesterday, both judged on the data as it is now. It ends when the subject leaves the
 * list (it recovered, or went quiet: that is the inactive notification's job); entering again
 * on a later day is the next episode. Judging only today against yesterday is what keeps a
 * backfill from flooding: a subject the backfilled history shows declining since last week was
 * declining yesterday too, so it is listed by `GET /v1/declining` but not announced. It costs
 * one pass over the last `window + baseline + 1` days of `user_timeline` per check, the same
 * as the list. An episode is announced on the day it begins: a monitor that does not run at
 * all that day does not announce it later. Its `since` is the first moment of that day, so a
 * second process (or a restart) finding the same subject that day finds its claim and stops.
 */

import { addDays, dayOf } from '../insights/days.js'
import {
  type DecliningCriteria,
  decline,
  isDeclining,
  subjectCounts,
} from '../insights/declining.js'
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
  /** Last seen when the episode began (for `inactive`, the same as `lastSeen`); for
   * `declining`, the first moment of the day it began. */
  since: string
  /** For `declining`: the figures and the criteria, as `GET /v1/declining` gives them. */
  decline?: { recent: number; expected: number; drop: number; criteria: DecliningCriteria }
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
  FROM {db}.webhook_claims
  WHERE level = {level:String} AND kind IN ('inactive', 'returned') AND role = 'episode'
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

/**
 * The declining episodes that begin today at `now`: subjects of `level` declining as of today
 * and not as of yesterday, with no declining claim since today began.
 */
export async function dueDeclining(
  storage: Storage,
  level: Level,
  now: number,
  criteria: DecliningCriteria,
): Promise<Candidate[]> {
  const today = dayOf(now)
  const yesterday = addDays(today, -1)
  const since = Date.parse(today)
  const counts = subjectCounts(level, { t: today, y: yesterday }, criteria, false, 't')
  const found = await rows<Row & { recent: string; base: string }>(
    storage,
    `SELECT d.project_id AS project_id, d.id AS entity_id, c.accountId AS accountId,
            c.lastSeen AS lastSeen, e.seq + 1 AS seq, d.recent_t AS recent, d.base_t AS base
     FROM (SELECT * FROM (${counts.sql})
           WHERE ${isDeclining('t')} AND NOT ${isDeclining('y')}) AS d
     INNER JOIN (${current[level]}) AS c ON c.project_id = d.project_id AND c.entity_id = d.id
     LEFT JOIN (SELECT project_id, entity_id, max(seq) AS seq, max(since) AS since
                FROM {db}.webhook_claims
                WHERE level = {level:String} AND kind = 'declining' AND role = 'episode'
                GROUP BY project_id, entity_id) AS e
       ON e.project_id = d.project_id AND e.entity_id = d.id
     WHERE e.since < {since:DateTime64(3, 'UTC')}`,
    {
      level,
      since: clickHouseTime(since),
      ...counts.params,
    },
  )
  return found.map((r) => ({
    projectId: r.project_id,
    level,
    entityId: r.entity_id,
    accountId: r.accountId,
    seq: num(r.seq),
    kind: 'declining',
    lastSeen: isoTime(r.lastSeen) ?? '',
    since: new Date(since).toISOString(),
    decline: { ...decline(num(r.recent), num(r.base), criteria), criteria },
  }))
}
