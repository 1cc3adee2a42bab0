/**
 * @module
 * `GET /healthz`: the process is alive and answering. `GET /readyz`: it can take writes — the
 * store answers within 2 s, every migration this build knows is applied, and the writer is not
 * waiting after a failed insert. A load balancer should route by `/readyz`.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { Unavailable } from '../errors.js'
import type { EventWriter } from '../ingest/group-commit/writer.js'
import type { Storage } from '../storage/client.js'
import { withDeadline } from '../storage/deadline.js'
import { appliedVersions, latestVersion } from '../storage/migrations.js'

/** What readiness is judged on. */
export interface HealthDeps {
  storage: Storage
  writer: Pick<EventWriter, 'available'>
}

/** The answer of `GET /healthz`. */
export const healthAnswerSchema = z.strictObject({ status: z.literal('ok') })

/** The answer of `GET /readyz`. */
export const readyAnswerSchema = z.strictObject({
  status: z.literal('ready'),
  schemaVersion: z.number().int().min(1).describe('The latest schema migration, applied.'),
})

/** A probe must be answered quickly: load balancers give up after a few seconds. */
const READY_TIMEOUT_MS = 2000

const notReady = (message: string) => new Unavailable(`not ready: ${message}`, 1000)

export function healthRoutes(deps: HealthDeps) {
  return new Hono()
    .get('/healthz', (c) => c.json({ status: 'ok' } satisfies z.output<typeof healthAnswerSchema>))
    .get('/readyz', async (c) => {
      if (!deps.writer.available) throw notReady('storage failed recently; retrying')
      let applied: Set<number>
      try {
        applied = await withDeadline(
          deps.storage,
          'the readiness check',
          (signal) => appliedVersions(deps.storage, signal),
          Math.min(READY_TIMEOUT_MS, deps.storage.timeoutMs),
          false,
        )
      } catch (err) {
        throw notReady(`storage does not answer: ${(err as Error).message.split('\n')[0]}`)
      }
      const latest = latestVersion()
      if (!applied.has(latest)) throw notReady(`schema migration ${latest} is not applied`)
      const answer: z.output<typeof readyAnswerSchema> = { status: 'ready', schemaVersion: latest }
      return c.json(answer)
    })
}
