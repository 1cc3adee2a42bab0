/**
 * @module
 * Deleting one user of a project from every table, so that every answer afterwards is the one
 * the store would give had the user never been tracked (`DELETE /v1/users/:userId`,
 * `lastseen-ingest users delete`).
 *
 * Most tables hold rows per user and lose them by a lightweight `DELETE` (`event_totals` is a
 * view of `event_days`, so it follows). One aggregate mixes the user with others and is
 * computed again instead: `accounts` (first and last seen per account, over every event that
 * carried the account), its rows of the user's accounts, from `account_users` without the user.
 * The first and last seen kept are exactly the earliest and latest time of the other users'
 * events with the account, as for an account the user never joined (see migration 7 for
 * history stored before it).
 *
 * Each statement returns only once its rows are gone (`lightweight_deletes_sync`,
 * `mutations_sync`: on every replica), so the answer comes after the data is. What is deleted is
 * what is stored: an event the user's SDK sends again later (a retry) is stored as new.
 */
import type { ClickHouseSettings } from '@clickhouse/client'
import { NotFound } from '../errors.js'
import type { Storage } from './client.js'
import { withDeadline } from './deadline.js'
import { rows } from './query.js'

/** A table that holds rows about users, and the condition (besides the project) for one user's. */
interface UserRows {
  table: string
  where: string
  /** Copied whole to every node of a cluster (one replicated table) rather than sharded. */
  everywhere?: boolean
}

/**
 * Every table with rows about one user, in the order they are deleted. A table that comes to
 * store something about users gets its line here. `users` is last: while its row is there, a
 * deletion that failed half-way (a storage outage) is found again by the next attempt and
 * finished.
 */
export const USER_ROWS: readonly UserRows[] = [
  { table: 'events', where: 'user_id = {user:String}' },
  { table: 'event_ids', where: 'user_id = {user:String}' },
  { table: 'event_days', where: 'user_id = {user:String}' },
  { table: 'user_days', where: 'user_id = {user:String}' },
  { table: 'user_timeline', where: 'user_id = {user:String}' },
  { table: 'account_users', where: 'user_id = {user:String}' },
  { table: 'traits', where: "subject = 'user' AND subject_id = {user:String}" },
  // No later notification names the user: its claims (and their payloads) go too.
  {
    table: 'webhook_claims',
    where: "level = 'user' AND entity_id = {user:String}",
    everywhere: true,
  },
  // A digest names the users it lists (see webhooks/digest.ts): its rows go too. One not yet
  // delivered is built again from its other episodes, recorded only when a digest is delivered.
  {
    table: 'webhook_claims',
    where: "role = 'digest' AND position(payload, {member:String}) > 0",
    everywhere: true,
  },
  { table: 'users', where: 'user_id = {user:String}' },
]

/** Wait for the rows to be gone, on every replica, before answering. */
const SYNC: ClickHouseSettings = { lightweight_deletes_sync: '2', mutations_sync: '2' }

/** What a deletion touched. */
export interface Forgotten {
  userId: string
  /** Days with the user's track events (their event totals changed). */
  days: number
  /** Accounts whose first and last seen were computed again. */
  accounts: number
}

type Params = { project: string; user: string; member: string }

/** Delete `userId` of `projectId` everywhere; `NotFound` when the project has no such user. */
export async function forgetUser(
  storage: Storage,
  projectId: string,
  userId: string,
): Promise<Forgotten> {
  // How a digest's claim lists the user among its episodes.
  const member = `"level":"user","entityId":${JSON.stringify(userId)},`
  const params = { project: projectId, user: userId, member }
  const affected = await affectedBy(storage, params)
  if (!affected) throw new NotFound(`no user ${JSON.stringify(userId)}`)
  const { days, accounts } = affected
  // The mixed aggregate first, computed without the user's rows, then the rows: a deletion cut
  // short leaves the user's `users` row, so the next attempt finds the user and finishes.
  await recomputeAccounts(storage, params, accounts, true)
  for (const rowsOf of USER_ROWS) await deleteRows(storage, rowsOf, params)
  // Once more without replacing: see `recomputeAccounts` for the write this catches.
  await recomputeAccounts(storage, params, accounts, false)
  return { userId, days: days.length, accounts: accounts.length }
}

/** The user's days with track events and its accounts; undefined for an unknown user. */
async function affectedBy(
  storage: Storage,
  params: Params,
): Promise<{ days: string[]; accounts: string[] } | undefined> {
  // Known by activity, or only by traits (identified, never active yet).
  const [known] = await rows<{ n: string }>(
    storage,
    `SELECT (SELECT count() FROM {db}.users
             WHERE project_id = {project:String} AND user_id = {user:String})
          + (SELECT count() FROM {db}.traits
             WHERE project_id = {project:String} AND subject = 'user' AND subject_id = {user:String}) AS n`,
    params,
  )
  if (Number(known?.n ?? 0) === 0) return undefined
  const days = await rows<{ d: string }>(
    storage,
    `SELECT DISTINCT toString(day) AS d FROM {db}.event_days
     WHERE project_id = {project:String} AND user_id = {user:String} ORDER BY d`,
    params,
  )
  // Every table that names an account of the user: migration 7 fills `account_users` for
  // earlier history from the other two, so these agree; reading all three costs little.
  const accounts = await rows<{ a: string }>(
    storage,
    `SELECT DISTINCT a FROM (
       SELECT account_id AS a FROM {db}.account_users
       WHERE project_id = {project:String} AND user_id = {user:String}
       UNION ALL
       SELECT assumeNotNull(account_id) AS a FROM {db}.users
       WHERE project_id = {project:String} AND user_id = {user:String} AND account_id IS NOT NULL
       UNION ALL
       SELECT assumeNotNull(account_id) AS a FROM {db}.user_days
       WHERE project_id = {project:String} AND user_id = {user:String} AND account_id IS NOT NULL)
     ORDER BY a`,
    params,
  )
  return { days: days.map((r) => r.d), accounts: accounts.map((r) => r.a) }
}

/** Run one statement under the storage deadline. */
function run(storage: Storage, what: string, sql: string, params: Record<string, unknown>) {
  return withDeadline(storage, what, async (signal) => {
    await storage.client.command({
      query: sql.replaceAll('{db}', storage.database),
      query_params: params,
      clickhouse_settings: SYNC,
      abort_signal: signal,
    })
  })
}

/**
 * `DELETE FROM` the table: on a cluster, from its `_local` table on every node, or from the one
 * replicated table (which passes the deletion on to its replicas) when copied everywhere.
 */
function deleteFrom(storage: Storage, table: string, everywhere = false): string {
  if (!storage.cluster) return `DELETE FROM {db}.${table}`
  if (everywhere) return `DELETE FROM {db}.${table}`
  return `DELETE FROM {db}.${table}_local ON CLUSTER ${storage.cluster}`
}

function deleteRows(storage: Storage, rowsOf: UserRows, params: Params) {
  return run(
    storage,
    `the deletion from ${rowsOf.table}`,
    `${deleteFrom(storage, rowsOf.table, rowsOf.everywhere)}
     WHERE project_id = {project:String} AND (${rowsOf.where})`,
    params,
  )
}

/**
 * The `accounts` rows of `accounts`, from `account_users` without the user; an account left
 * with no other user has none, as if never seen. With `replace`, the rows there are deleted
 * first. A write arriving meanwhile (another user's event with one of these accounts) cannot
 * make an answer wrong, because its insert stores a row into `account_users` and one into
 * `accounts`, and first and last seen are a minimum and a maximum, which a row stored twice
 * does not change:
 * - both stored before the `DELETE`: the `accounts` row is deleted, the `account_users` row is
 *   read by the `INSERT … SELECT` that follows;
 * - both stored after it: the `accounts` row stays;
 * - on a server, where the views of one insert store their rows one after the other, its
 *   `accounts` row may come before the `DELETE` and its `account_users` row after the
 *   `SELECT`: the second pass (without `replace`, after the rows are deleted) reads
 *   `account_users` again and adds it. On the embedded store one statement runs at a time, so
 *   an insert never straddles another.
 */
async function recomputeAccounts(
  storage: Storage,
  params: Params,
  accounts: readonly string[],
  replace: boolean,
) {
  if (accounts.length === 0) return
  const p = { ...params, accounts }
  if (replace) {
    await run(
      storage,
      'the deletion of account rows',
      `${deleteFrom(storage, 'accounts')}
       WHERE project_id = {project:String} AND has({accounts:Array(String)}, account_id)`,
      p,
    )
  }
  await run(
    storage,
    'the account rows',
    `INSERT INTO {db}.accounts (project_id, account_id, first_seen, last_seen)
     SELECT project_id, account_id, min(first_seen), max(last_seen) FROM {db}.account_users
     WHERE project_id = {project:String} AND has({accounts:Array(String)}, account_id)
       AND user_id != {user:String}
     GROUP BY project_id, account_id`,
    p,
  )
}
