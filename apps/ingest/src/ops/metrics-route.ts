/**
 * @module
 * `GET /metrics`: Prometheus text exposition of the service's metrics, and the middleware that
 * counts every answered request by route (the route pattern, never the raw path) and status.
 */
import { Hono, type MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'
import type { IngestMetrics } from './metrics.js'

export function metricsRoutes(metrics: IngestMetrics) {
  return new Hono().get('/metrics', async (c) =>
    c.body(await metrics.render(), 200, { 'content-type': metrics.contentType }),
  )
}

/** Count each request once it is answered. */
export function countRequests(metrics: IngestMetrics): MiddlewareHandler {
  return async (c, next) => {
    await next()
    const route = routePath(c, -1)
    metrics.requestAnswered(c.req.method, route === '/*' ? 'unmatched' : route, c.res.status)
  }
}
