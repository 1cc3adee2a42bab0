/**
 * @module
 * Claiming a notification so that exactly one process sends it, with ClickHouse as the only
 * shared state: see docs/architecture.md, "Webhook claims".
 */
import { createHash } from 'node:crypto'
import type { ClickHouseSettings } from '@clickhouse/client'
import type { Storage } from '../storage/client.js'
import { num, rows } from '../storage/query.js'
import { clickHouseTime } from '../storage/time.js'
import type { Candidate } from './episodes.js'

/** A claim to insert. */
export interface Claim {
  candidate: Candidate
  notificationId: string
  lease: number
  payload: string
}

/** A claimed notification not yet delivered. */
export interface ClaimedNotification {
  notificationId: string
  lease: number
  winner: string
  /** Age of the first claim of this lease, in ms, by the ClickHouse server's clock (the clock
   * that stamped it, so a skewed app clock cannot shorten the settle delay). */
  ageMs: number
  payload: string
  candidate: Pick<Candidate, 'projectId' | 'level' | 'entityId' | 'seq' | 'kind' | 'since'>
}

/** The deterministic id of a notification: the same in every process. */
export function notificationId(
  c: Pick<Candidate, 'projectId' | 'level' | 'entityId' | 'seq' | 'kind'>,
) {
  return createHash('sha256')
    .update([c.projectId, c.level, c.entityId, c.seq, c.kind].join('\n'))
    .digest('hex')
    .slice(0, 32)
}

const table = (storage: Storage) => `${storage.database}.webhook_claims`

/**
 * On a cluster, claims are replicated asynchronously: a claim counts once a majority of
 * replicas has it, and reads see every such claim, so all readers still agree.
 */
const insertSettings = (storage: Storage): ClickHouseSettings =>
  storage.cluster ? { insert_quorum: 'auto' } : {}
const readSettings = (storage: Storage): ClickHouseSettings =>
  storage.cluster ? { select_sequential_consistency: '1' } : {}

const row = (c: Omit<Candidate, 'accountId' | 'lastSeen'>, extra: Record<string, unknown>) => ({
  project_id: c.projectId,
  level: c.level,
  entity_id: c.entityId,
  seq: c.seq,
  kind: c.kind,
  since: clickHouseTime(Date.parse(c.since) || 0),
  ...extra,
})

/** One row per notification, all by `claimer` in `state`; resolves when the rows are stored. */
async function insertRows<
  T extends Pick<ClaimedNotification, 'notificationId' | 'lease' | 'candidate'>,
>(
  storage: Storage,
  items: T[],
  claimer: string,
  state: 'claimed' | 'delivered' | 'failed' | 'withdrawn',
  payload: (item: T) => string,
) {
  if (items.length === 0) return
  await storage.client.insert({
    table: table(storage),
    format: 'JSONEachRow',
    clickhouse_settings: insertSettings(storage),
    values: items.map((item) =>
      row(item.candidate, {
        notification_id: item.notificationId,
        lease: item.lease,
        claimer,
        state,
        payload: payload(item),
      }),
    ),
  })
}

/** Insert claims by `claimer`, each with the payload it would send; resolves when stored. */
export const insertClaims = (storage: Storage, claims: Claim[], claimer: string) =>
  insertRows(storage, claims, claimer, 'claimed', (c) => c.payload)

/** Record outcomes (of deliveries, or withdrawals) by `claimer`; outcomes carry no payload. */
export const recordOutcome = (
  storage: Storage,
  items: Pick<ClaimedNotification, 'notificationId' | 'lease' | 'candidate'>[],
  claimer: string,
  state: 'delivered' | 'failed' | 'withdrawn',
) => insertRows(storage, items, claimer, state, () => '')

/**
 * Claimed notifications with no outcome yet, at their latest lease, each with its winner (the
 * earliest claim not withdrawn; empty when every claimer withdrew) and the age of its first
 * claim. A caller decides only on claims older than the settle delay.
 */
export async function claimedNotifications(storage: Storage): Promise<ClaimedNotification[]> {
  const found = await rows<Record<string, string>>(
    storage,
    `SELECT notification_id, lease, arrayFirst(c -> NOT has(gone, c.2), claims) AS win,
            win.2 AS winner, if(win.2 = '', claims[1].3, win.3) AS payload, age_ms, project_id, level, entity_id, seq, kind, since
     FROM (
       SELECT notification_id, lease,
              arraySort(groupArrayIf((at, claimer, payload), state = 'claimed')) AS claims,
              groupArrayIf(claimer, state = 'withdrawn') AS gone,
              toUnixTimestamp64Milli(now64(3)) - toUnixTimestamp64Milli(min(at)) AS age_ms,
              any(project_id) AS project_id, any(level) AS level, any(entity_id) AS entity_id,
              any(seq) AS seq, any(kind) AS kind, any(since) AS since
       FROM {db}.webhook_claims
       WHERE state IN ('claimed', 'withdrawn')
         AND notification_id NOT IN (SELECT notification_id FROM {db}.webhook_claims
                                     WHERE state IN ('delivered', 'failed'))
       GROUP BY notification_id, lease
       ORDER BY lease DESC LIMIT 1 BY notification_id)`,
    {},
    readSettings(storage),
  )
  return found.map((r) => ({
    notificationId: r.notification_id ?? '',
    lease: num(r.lease),
    winner: r.winner ?? '',
    ageMs: num(r.age_ms),
    payload: r.payload ?? '',
    candidate: {
      projectId: r.project_id ?? '',
      level: r.level === 'account' ? 'account' : 'user',
      entityId: r.entity_id ?? '',
      seq: num(r.seq),
      kind: r.kind === 'returned' || r.kind === 'declining' ? r.kind : 'inactive',
      since: `${r.since?.replace(' ', 'T')}Z`,
    },
  }))
}
