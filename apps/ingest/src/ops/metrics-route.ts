/**
 * @module
 * `GET /metrics`: Prometheus text exposition of the service's metrics, and the middleware that
 * counts every answered request by route (the route pattern, never the raw path) and status.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { Hono, type MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'
import { Unauthorized } from '../errors.js'
import type { IngestMetrics } from './metrics.js'

const digest = (text: string) => createHash('sha256').update(text).digest()

/**
 * `GET /metrics`; with `token` (`LASTSEEN_METRICS_TOKEN`) only for `Authorization: Bearer
 * <token>`, others get 401.
 */
export function metricsRoutes(metrics: IngestMetrics, token?: string) {
  const expected = token === undefined ? undefined : digest(token)
  return new Hono().get('/metrics', async (c) => {
    if (expected) {
      const given = c.req.header('authorization')?.match(/^Bearer\s+(\S+)\s*$/i)?.[1]
      // Digests compared in constant time: the comparison tells nothing about the token.
      if (!given || !timingSafeEqual(digest(given), expected)) {
        throw new Unauthorized('/metrics needs Authorization: Bearer <LASTSEEN_METRICS_TOKEN>')
      }
    }
    return c.body(await metrics.render(), 200, { 'content-type': metrics.contentType })
  })
}

/** Count each request once it is answered. */
export function countRequests(metrics: IngestMetrics): MiddlewareHandler {
  return async (c, next) => {
    await next()
    const route = routePath(c, -1)
    metrics.requestAnswered(c.req.method, route === '/*' ? 'unmatched' : route, c.res.status)
  }
}
