/**
 * @module
 * PostHog's capture API: `POST /batch/`, `/capture/`, `/e/` and `/i/v0/e/`, so `posthog-node` and `posthog-js` send to lastseen by changing only their
 * host. The body is read like lastseen's own (`ingest/request-body.ts`, same limits), the key
 * checked like a write key (`api_key` in the body or a Bearer header, same throttle), each event
 * converted (`event.ts`), then checked and stored exactly as `POST /v1/batch` does, so a
 * client's retry of a batch is a duplicate. The answer is PostHog's `{ "status": 1 }` (what its
 * clients take as stored) with lastseen's counts beside it; these clients never read
 * `rejected`, so each refused event is logged (at debug level) and counted in `/metrics`.
 */
import type { Context } from 'hono'
import { Hono } from 'hono'
import { z } from 'zod'
import { DEFAULTS } from '../../config.js'
import { authenticateWrite } from '../../http/auth.js'
import type { WriteRouteDeps } from '../../ingest/batch.js'
import { checkEvents } from '../../ingest/event-check.js'
import { readWriteBody, stampReceived } from '../../ingest/request-body.js'
import { writeEvents } from '../../ingest/write-events.js'
import { debugLog } from '../../ops/log.js'
import { checkPostHogEventCount, normalizePostHogBody, posthogBodySchema } from './body.js'
import { posthogCors } from './cors.js'
import { type Converted, convertEvent } from './event.js'
import { posthogFlagRoutes } from './flags.js'

/** What the PostHog routes need. */
export interface PostHogRouteDeps extends WriteRouteDeps {
  /** `LASTSEEN_POSTHOG_ACCOUNT_GROUP`. @default `DEFAULTS.posthogAccountGroup` */
  posthogAccountGroup?: string | undefined
}

/**
 * The capture paths of PostHog's API, spelled as its clients send them: `posthog-node` (and
 * PostHog's other server libraries) `/batch/`, `posthog-js` `/e/` (or `/i/v0/e/`, when its
 * remote configuration says so), PostHog's documentation `/capture/` and `/i/v0/e/`.
 */
export const CAPTURE_PATHS = ['/batch/', '/capture/', '/e/', '/i/v0/e/']

/** PostHog's `200` answer, with what lastseen made of the events. */
export const posthogAnswerSchema = z.strictObject({
  status: z.literal(1).describe("PostHog's success marker: what its clients read as stored."),
  accepted: z.number().int().min(0).describe('Events stored by this request.'),
  duplicates: z
    .number()
    .int()
    .min(0)
    .describe('Events stored by an earlier request (same id); not counted again.'),
  rejected: z
    .number()
    .int()
    .min(0)
    .describe('Events refused; why is logged at debug level (`LASTSEEN_DEBUG=1`).'),
  ignored: z
    .number()
    .int()
    .min(0)
    .describe("Events taken and not stored: anonymous, or PostHog's own and not activity."),
})

export type PostHogAnswer = z.infer<typeof posthogAnswerSchema>

/**
 * The body, however a PostHog client sent it: `?compression=gzip-js` (or `gzip`) says gzip;
 * otherwise gzip is recognised by its first bytes (`posthog-js` sends it as `text/plain` without
 * the parameter); `sendBeacon` bodies are `data=<base64>` forms.
 */
async function readPostHog(c: Context) {
  const compression = c.req.query('compression')
  const gzip = compression === 'gzip-js' || compression === 'gzip' ? 'always' : 'sniff'
  const { envelope } = await readWriteBody(c, posthogBodySchema, checkPostHogEventCount, {
    gzip,
    formData: true,
  })
  return normalizePostHogBody(envelope)
}

export function posthogRoutes(deps: PostHogRouteDeps): Hono {
  const accountGroup = deps.posthogAccountGroup ?? DEFAULTS.posthogAccountGroup
  const app = new Hono()
  const capture = authenticateWrite(deps.keys, readPostHog)
  for (const path of CAPTURE_PATHS) {
    app.use(path, posthogCors)
    app.post(path, stampReceived, capture, async (c) => {
      const { projectId, writeKey, body, receivedAt } = c.var
      deps.rateLimiter?.take(writeKey, body.events.length)
      const sentAt = body.sentAt ?? receivedAt.toISOString()

      // Each PostHog event becomes zero, one or two lastseen events; `origin` maps them back.
      const wire: Record<string, unknown>[] = []
      const origin: number[] = []
      let ignored = 0
      let rejected = 0
      body.events.forEach((raw, index) => {
        const converted: Converted = convertEvent(raw, { projectId, accountGroup, sentAt })
        if ('events' in converted) {
          for (const event of converted.events) {
            wire.push(event)
            origin.push(index)
          }
        } else if ('ignored' in converted) {
          ignored++
          debugLog(`posthog: event ${index} ignored: ${converted.ignored}`)
        } else {
          rejected++
          debugLog(`posthog: event ${index} rejected: ${converted.rejected}`)
        }
      })
      const checked = checkEvents(wire)
      const answer = await writeEvents(deps, projectId, checked, { sentAt, receivedAt })
      for (const refused of answer.rejected) {
        debugLog(`posthog: event ${origin[refused.index]} rejected: ${refused.reason}`)
      }
      rejected += answer.rejected.length
      deps.metrics?.wireMessagesAnswered('posthog', {
        accepted: answer.accepted,
        duplicate: answer.duplicates,
        rejected,
        ignored,
      })
      const reply: PostHogAnswer = {
        status: 1,
        accepted: answer.accepted,
        duplicates: answer.duplicates,
        rejected,
        ignored,
      }
      return c.json(reply)
    })
  }
  app.route('/', posthogFlagRoutes())
  return app
}
