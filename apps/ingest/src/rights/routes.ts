/**
 * @module
 * The data-rights API: `DELETE /v1/users/:userId` removes everything stored about a user, and
 * `GET /v1/users/:userId/export` returns it as NDJSON. Both need an admin key of the project;
 * see docs/api.md, "Data rights".
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { NotFound } from '../errors.js'
import { authenticateAdmin } from '../http/auth.js'
import { dayOf } from '../insights/days.js'
import { parsePathId } from '../insights/params.js'
import { userProfile } from '../insights/users.js'
import type { KeyRing } from '../keys/key-ring.js'
import type { Storage } from '../storage/client.js'
import { forgetUser } from '../storage/forget-user.js'
import { exportUser } from './export.js'

/** What the data-rights routes need. */
export interface RightsDeps {
  keys: KeyRing
  storage: Storage
}

/** The answer of `DELETE /v1/users/:userId`. */
export interface DeletedAnswer {
  userId: string
  deleted: true
}

/** Schema of {@link DeletedAnswer}, as documented in the OpenAPI document. */
export const deletedAnswerSchema = z.strictObject({
  userId: z.string(),
  deleted: z.literal(true),
}) satisfies z.ZodType<DeletedAnswer>

/** Lines of JSON from `lines`, encoded as they are read: nothing waits for the whole export. */
export function ndjson(lines: AsyncGenerator<unknown>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  return new ReadableStream({
    async pull(controller) {
      const next = await lines.next()
      if (next.done) controller.close()
      else controller.enqueue(encoder.encode(`${JSON.stringify(next.value)}\n`))
    },
    async cancel() {
      await lines.return(undefined)
    },
  })
}

export function rightsRoutes(deps: RightsDeps) {
  const { storage } = deps
  const auth = authenticateAdmin(deps.keys)
  return new Hono()
    .delete('/v1/users/:userId', auth, async (c) => {
      const userId = parsePathId('userId', c.req.param('userId'))
      const forgotten = await forgetUser(storage, c.var.projectId, userId)
      return c.json({ userId: forgotten.userId, deleted: true } satisfies DeletedAnswer)
    })
    .get('/v1/users/:userId/export', auth, async (c) => {
      const { projectId } = c.var
      const userId = parsePathId('userId', c.req.param('userId'))
      // Read before the answer starts, so an unknown user or a storage outage gets its status.
      const profile = await userProfile(storage, projectId, userId, dayOf(Date.now()))
      if (!profile) throw new NotFound(`no user ${JSON.stringify(userId)}`)
      // A failure past this point cuts the answer short (no final chunk): a client never takes
      // a partial export for a whole one.
      return new Response(ndjson(exportUser(storage, projectId, profile)), {
        headers: { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' },
      })
    })
}
