/**
 * @module
 * One user: first and last seen, last sign-in, account, traits, and recent activity.
 */
import { z } from 'zod'
import type { Storage } from '../storage/client.js'
import { num, rows } from '../storage/query.js'
import { isoTime } from '../storage/time.js'
import {
  type RecentActivity,
  recentActivity,
  recentActivityFields,
  timeSchema,
} from './activity.js'
import { type Traits, traitsOf, traitsSchema } from './traits.js'

/** The answer of `GET /v1/users/:userId`. */
export interface UserProfile extends RecentActivity {
  userId: string
  /** The account of the user's latest event that carried one. */
  accountId: string | null
  firstSeen: string
  lastSeen: string
  /** Time of the latest `sign_in` or `login` event; null when there was none. */
  lastSignIn: string | null
  /** The user's traits (from `identify`); `{}` when none. */
  traits: Traits
}

/** Schema of {@link UserProfile}, as documented in the OpenAPI document. */
export const userProfileSchema = z.strictObject({
  userId: z.string(),
  accountId: z
    .string()
    .nullable()
    .describe("The account of the user's latest event that carried one."),
  firstSeen: timeSchema,
  lastSeen: timeSchema,
  lastSignIn: timeSchema
    .nullable()
    .describe('Time of the latest `sign_in` or `login` event; null when there was none.'),
  traits: traitsSchema.describe("The user's traits (from `identify`); `{}` when none."),
  ...recentActivityFields,
}) satisfies z.ZodType<UserProfile>

interface UserRow {
  accountId: string | null
  firstSeen: string
  lastSeen: string
  lastSignIn: string
  n: string
}

/** The profile of `userId`, or undefined when the project has never seen that user. */
export async function userProfile(
  storage: Storage,
  projectId: string,
  userId: string,
  today: string,
): Promise<UserProfile | undefined> {
  const [row] = await rows<UserRow>(
    storage,
    `SELECT anyLast(account_id) AS accountId, min(first_seen) AS firstSeen, max(last_seen) AS lastSeen,
            max(last_sign_in) AS lastSignIn, count() AS n
     FROM {db}.users WHERE project_id = {project:String} AND user_id = {user:String}`,
    { project: projectId, user: userId },
  )
  if (!row || num(row.n) === 0) return undefined
  const traits = await traitsOf(storage, projectId, 'user', [userId])
  return {
    userId,
    accountId: row.accountId,
    firstSeen: isoTime(row.firstSeen) ?? '',
    lastSeen: isoTime(row.lastSeen) ?? '',
    lastSignIn: isoTime(row.lastSignIn),
    traits: traits.get(userId) ?? {},
    ...(await recentActivity(storage, projectId, { userId }, today)),
  }
}
