/**
 * @module
 * Reading needs a project's read key. A write key is public (it ships in browsers), so it is
 * refused here with 403; an unknown key is 401. The key comes from `Authorization: Bearer` or,
 * for the dashboard, from its sign-in form.
 */
import { Forbidden, Unauthorized } from '../errors.js'
import type { KeyRing } from '../keys/key-ring.js'

/**
 * The project a read key belongs to; `Unauthorized` (unknown), `Forbidden` (not a read key) or `RateLimited` (when
 * `from`, the client's address, has failed too often).
 */
export async function readProject(
  keys: KeyRing,
  key: string | undefined,
  from: string,
): Promise<string> {
  if (!key) throw new Unauthorized('missing read key (Authorization: Bearer lsr_…)')
  const resolved = await keys.resolve(key, from)
  if (!resolved) throw new Unauthorized('unknown or revoked read key')
  if (resolved.kind !== 'read') {
    throw new Forbidden('a write key cannot read; use the project read key')
  }
  return resolved.projectId
}
