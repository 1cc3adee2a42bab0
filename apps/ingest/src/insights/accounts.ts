/**
 * @module
 * One account: first and last seen, traits, its users with their last seen and traits, and
 * recent activity (the activity of the users whose latest account it is).
 */
import type { Storage } from '../storage/client.js'
import { num, rows } from '../storage/query.js'
import { isoTime } from '../storage/time.js'
import { type RecentActivity, recentActivity } from './activity.js'
import { type Traits, traitsOf } from './traits.js'

/** Most users listed in an account answer. */
const MAX_ACCOUNT_USERS = 1000

/** The answer of `GET /v1/accounts/:accountId`. */
export interface AccountProfile extends RecentActivity {
  accountId: string
  firstSeen: string
  lastSeen: string
  /** The account's traits (from `group`); `{}` when none. */
  traits: Traits
  /** How many users the account has. */
  userCount: number
  /** Its users, most recently seen first (at most 1,000), each with its traits. */
  users: { userId: string; firstSeen: string; lastSeen: string; traits: Traits }[]
}

/** The profile of `accountId`, or undefined when the project has never seen that account. */
export async function accountProfile(
  storage: Storage,
  projectId: string,
  accountId: string,
  today: string,
): Promise<AccountProfile | undefined> {
  const params = { project: projectId, account: accountId }
  const [row] = await rows<{ firstSeen: string; lastSeen: string; n: string }>(
    storage,
    `SELECT min(first_seen) AS firstSeen, max(last_seen) AS lastSeen, count() AS n
     FROM {db}.accounts WHERE project_id = {project:String} AND account_id = {account:String}`,
    params,
  )
  if (!row || num(row.n) === 0) return undefined
  const users = await rows<{ user_id: string; firstSeen: string; lastSeen: string; total: string }>(
    storage,
    `SELECT user_id, min(first_seen) AS firstSeen, max(last_seen) AS lastSeen, count() OVER () AS total
     FROM {db}.users WHERE project_id = {project:String}
     GROUP BY user_id HAVING anyLast(account_id) = {account:String}
     ORDER BY lastSeen DESC, user_id LIMIT ${MAX_ACCOUNT_USERS}`,
    params,
  )
  const [accountTraits, userTraits] = await Promise.all([
    traitsOf(storage, projectId, 'account', [accountId]),
    traitsOf(
      storage,
      projectId,
      'user',
      users.map((u) => u.user_id),
    ),
  ])
  return {
    accountId,
    firstSeen: isoTime(row.firstSeen) ?? '',
    lastSeen: isoTime(row.lastSeen) ?? '',
    traits: accountTraits.get(accountId) ?? {},
    userCount: num(users[0]?.total),
    users: users.map((u) => ({
      userId: u.user_id,
      firstSeen: isoTime(u.firstSeen) ?? '',
      lastSeen: isoTime(u.lastSeen) ?? '',
      traits: userTraits.get(u.user_id) ?? {},
    })),
    ...(await recentActivity(storage, projectId, { accountId }, today)),
  }
}
