/**
 * @module
 * Which project a write belongs to: the write key comes from `Authorization: Bearer …` or, for
 * clients that cannot set headers (sendBeacon), from `writeKey` in the body. `readWrite` is the
 * common start of both write routes.
 */
import type { z } from 'zod'
import { BadRequest, describeIssue, Forbidden, Unauthorized } from '../errors.js'
import { readJsonBody } from '../ingest/request-body.js'
import type { KeyRing } from '../keys/key-ring.js'

/** The key of an `Authorization: Bearer <key>` header, if there is one. */
export function bearerKey(header: string | undefined): string | undefined {
  return header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1]
}

/**
 * The project of a write key; 401 when the key is missing, unknown or revoked, 403 for a read
 * key, 429 when `from` (the client's address) has failed too often.
 */
export async function writeProject(
  keys: KeyRing,
  key: string | undefined,
  from: string,
): Promise<string> {
  if (!key) {
    throw new Unauthorized(
      'missing write key: send Authorization: Bearer <writeKey> or writeKey in the body',
    )
  }
  const resolved = await keys.resolve(key, from)
  if (resolved?.kind === 'read') {
    throw new Forbidden("a read key cannot write; use the project's write key")
  }
  if (resolved?.kind !== 'write') {
    throw new Unauthorized('unknown or revoked write key')
  }
  return resolved.projectId
}

/** A write request, read and authenticated. */
export interface WriteRequest<T> {
  receivedAt: Date
  /** The parsed JSON body. */
  body: unknown
  /** The body as `schema` parsed it. */
  envelope: T
  key: string
  projectId: string
}

/**
 * Read and authenticate a write. A key in the header is checked before the body is read, so a
 * wrong key costs nothing; then the body is read, `precheck`ed (for answers such as 413 that
 * must come before schema errors), parsed with `schema` (400 naming the problem), and the key in
 * the body used when the header had none.
 */
export async function readWrite<T extends { writeKey?: string | undefined }>(
  request: Request,
  keys: KeyRing,
  /** The client's address, for the throttle of failed authentication. */
  from: string,
  schema: z.ZodType<T>,
  precheck: (body: unknown) => void,
): Promise<WriteRequest<T>> {
  const receivedAt = new Date()
  const headerKey = bearerKey(request.headers.get('authorization') ?? undefined)
  const headerProject = headerKey ? await writeProject(keys, headerKey, from) : undefined
  const body = await readJsonBody(request)
  precheck(body)
  const parsed = schema.safeParse(body)
  if (!parsed.success) throw new BadRequest(describeIssue(parsed.error))
  const key = headerKey ?? parsed.data.writeKey
  // writeProject refuses a missing key, so past it `key` is set.
  const projectId = headerProject ?? (await writeProject(keys, key, from))
  return { receivedAt, body, envelope: parsed.data, key: key as string, projectId }
}
