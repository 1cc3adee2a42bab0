/**
 * @module
 * `GET /healthz`: the process is alive and answering.
 */
import { Hono } from 'hono'

export const healthRoutes = new Hono().get('/healthz', (c) => c.json({ status: 'ok' }))
