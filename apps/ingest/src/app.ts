/**
 * @module
 * The Hono application: every route, and the one error handler.
 */
import { Hono } from 'hono'
import { dashboardRoutes } from './dashboard/routes.js'
import type { SessionStore } from './dashboard/sessions.js'
import type { Drain } from './http/drain.js'
import { notFound, onError } from './http/errors.js'
import { batchRoutes } from './ingest/batch.js'
import type { EventWriter } from './ingest/group-commit/writer.js'
import type { RateLimiter } from './ingest/rate-limit.js'
import { trackRoutes } from './ingest/track.js'
import { readRoutes } from './insights/routes.js'
import type { KeyRing } from './keys/key-ring.js'
import { openApiRoutes } from './openapi/routes.js'
import { healthRoutes } from './ops/health.js'
import { IngestMetrics } from './ops/metrics.js'
import { countRequests, metricsRoutes } from './ops/metrics-route.js'
import { rightsRoutes } from './rights/routes.js'
import type { Storage } from './storage/client.js'
import { segmentWire } from './wires/segment/routes.js'

/** What the routes need. */
export interface AppDeps {
  keys: KeyRing
  /** The group-commit writer; anything with its `write` and `available` does in tests. */
  writer: Pick<EventWriter, 'write' | 'available'>
  /** Counters and histograms served at `/metrics`; a fresh set when omitted. */
  metrics?: IngestMetrics
  /** Late-event window of the write routes (`LASTSEEN_MAX_EVENT_AGE`). @default `DEFAULTS.maxEventAgeMs` */
  maxEventAgeMs?: number
  /** Per-write-key rate limit (`LASTSEEN_RATE_LIMIT`); none when omitted. */
  rateLimiter?: RateLimiter
  /** The store the read API and the dashboard answer from. */
  storage: Storage
  /** Default of `after` for `GET /v1/inactive` (`LASTSEEN_INACTIVE_AFTER`). @default `DEFAULTS.inactiveAfterMs` */
  inactiveAfterMs?: number
  /** Shutdown state: once draining, answers close their connections and new requests get 503. */
  drain?: Drain
  /** Dashboard sign-in sessions; kept in `storage` when omitted. */
  sessions?: SessionStore
  /** Bearer token `/metrics` requires (`LASTSEEN_METRICS_TOKEN`); open when omitted. */
  metricsToken?: string
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono()
  const metrics = deps.metrics ?? new IngestMetrics()
  app.use(countRequests(metrics))
  // No answer is ever read as another type than it says (HTML sniffed out of a JSON error);
  // before the drain, so its 503 carries it too.
  app.use(async (c, next) => {
    await next()
    c.res.headers.set('X-Content-Type-Options', 'nosniff')
  })
  if (deps.drain) app.use(deps.drain.middleware())
  app.route('/', healthRoutes(deps))
  app.route('/', metricsRoutes(metrics, deps.metricsToken))
  app.route('/', openApiRoutes())
  // Segment's wire shares `/v1/batch` and `/v1/track` with lastseen's own protocol.
  const segment = segmentWire({ ...deps, metrics })
  app.route('/', batchRoutes({ ...deps, metrics, otherWire: segment.batch }))
  app.route('/', trackRoutes({ ...deps, metrics, otherWire: segment.track }))
  app.route('/', segment.routes)
  app.route('/', readRoutes(deps))
  app.route('/', rightsRoutes(deps))
  app.route('/', dashboardRoutes(deps))
  app.notFound(notFound)
  app.onError(onError)
  return app
}
