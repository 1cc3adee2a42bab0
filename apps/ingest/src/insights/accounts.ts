/**
 * @module
 * One account: first and last seen, traits, its users with their last seen and traits, and
 * recent activity (the activity of the users whose latest account it is).
 */
import { z } from 'zod'
import type { Storage } from '../storage/client.js'
import { num, rows } from '../storage/query.js'
import { isoTime } from '../storage/time.js'
import {
  countSchema,
  type RecentActivity,
  recentActivity,
  recentActivityFields,
  timeSchema,
} from './activity.js'
import { type Traits, traitsOf, traitsSchema } from './traits.js'

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

/** Schema of {@link AccountProfile}, as documented in the OpenAPI document. */
export const accountProfileSchema = z.strictObject({
  accountId: z.string(),
  firstSeen: timeSchema,
  lastSeen: timeSchema,
  traits: traitsSchema.describe("The account's traits (from `group`); `{}` when none."),
  userCount: countSchema.describe('How many users the account has.'),
  users: z
    .array(
      z.strictObject({
        userId: z.string(),
        firstSeen: timeSchema,
        lastSeen: timeSchema,
        traits: traitsSchema,
      }),
    )
    .max(MAX_ACCOUNT_USERS)
    .describe('Its users, most recently seen first (at most 1,000), each with its traits.'),
  ...recentActivityFields,
}) satisfies z.ZodType<AccountProfile>

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
