/**
 * @module
 * Which project a write belongs to: the write key comes from `Authorization: Bearer …` or, for
 * clients that cannot set headers (sendBeacon), from `writeKey` in the body.
 */
import { ApiError } from './http-error.js'
import type { KeyRing } from './keys.js'

/** The key of an `Authorization: Bearer <key>` header, if there is one. */
export function bearerKey(header: string | undefined): string | undefined {
  return header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1]
}

/** The project of a write key; 401 when the key is missing, unknown or revoked, 403 for a read key. */
export async function writeProject(keys: KeyRing, key: string | undefined): Promise<string> {
  if (!key) {
    throw new ApiError(
      401,
      'unauthorized',
      'missing write key: send Authorization: Bearer <writeKey> or writeKey in the body',
    )
  }
  const resolved = await keys.resolve(key)
  if (resolved?.kind === 'read') {
    throw new ApiError(403, 'forbidden', "a read key cannot write; use the project's write key")
  }
  if (resolved?.kind !== 'write') {
    throw new ApiError(401, 'unauthorized', 'unknown or revoked write key')
  }
  return resolved.projectId
}
