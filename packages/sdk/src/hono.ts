/**
 * @module
 * `@lastseen/sdk/hono`: one line that marks each request's user as seen in a Hono app, at most
 * once per user per heartbeat interval.
 */
export { lastseen } from './middleware/hono.js'
export type { SeenMiddlewareOptions, SeenTracker } from './middleware/mark-seen.js'
