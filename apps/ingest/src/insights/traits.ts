/**
 * @module
 * Traits of users and accounts: per key, the value of the latest `identify` or `group` event
 * that set it (by stored time, then id); a latest `null` means the trait was removed. See
 * docs/insights.md, "Traits".
 */
import { z } from 'zod'
import type { Storage } from '../storage/client.js'
import { rows } from '../storage/query.js'

/** What is known of a user or an account: trait key to JSON value. */
export type Traits = Record<string, unknown>

/** Schema of {@link Traits}, as documented in the OpenAPI document. */
export const traitsSchema = z
  .record(z.string(), z.unknown())
  .describe('Trait key to its latest JSON value (from `identify` or `group`); `{}` when none.')

/**
 * The latest value of every trait key, as JSON text, per subject of a project. `argMax` alone
 * skips NULL values, so the value is wrapped in a tuple: a removal is a NULL that wins.
 * `{subject}` is `'user'` or `'account'`; callers add conditions on `subject_id` and `key`.
 */
export const latestTraits = (where: string) => `
  SELECT subject_id, key, argMax(tuple(value), (timestamp, id)).1 AS latest
  FROM {db}.traits
  WHERE project_id = {project:String} AND subject = {subject:String} ${where}
  GROUP BY subject_id, key`

/**
 * The traits of `ids` (users or accounts of `projectId`), in one query. Ids without a trait are
 * not in the map: callers use `?? {}`. Keys come in alphabetical order.
 */
export async function traitsOf(
  storage: Storage,
  projectId: string,
  level: 'user' | 'account',
  ids: readonly string[],
): Promise<Map<string, Traits>> {
  const out = new Map<string, Traits>()
  if (ids.length === 0) return out
  const found = await rows<{ subject_id: string; key: string; latest: string }>(
    storage,
    `SELECT subject_id, key, latest FROM (${latestTraits(
      'AND subject_id IN (SELECT arrayJoin({ids:Array(String)}))',
    )}) WHERE latest IS NOT NULL ORDER BY subject_id, key`,
    { project: projectId, subject: level, ids: [...new Set(ids)] },
  )
  for (const r of found) {
    let traits = out.get(r.subject_id)
    if (!traits) {
      traits = {}
      out.set(r.subject_id, traits)
    }
    traits[r.key] = JSON.parse(r.latest)
  }
  return out
}
