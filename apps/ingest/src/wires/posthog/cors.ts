/**
 * @module
 * CORS of the PostHog routes: any origin may send (keys are public in browsers, as lastseen's
 * own write keys are), and `posthog-js` also reads its configuration with `GET`.
 */
import { cors } from 'hono/cors'

export const posthogCors = cors({
  origin: '*',
  allowMethods: ['GET', 'POST', 'OPTIONS'],
  allowHeaders: ['Content-Type', 'Content-Encoding', 'Authorization'],
  exposeHeaders: ['Retry-After'],
  maxAge: 86_400,
})
