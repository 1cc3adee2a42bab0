/**
 * @module
 * `@lastseen/sdk/fastify`: one line that marks each request's user as seen in a Fastify app, at most
 * once per user per heartbeat interval.
 */
export { lastseen } from './middleware/fastify.js'
export type { SeenMiddlewareOptions, SeenTracker } from './middleware/mark-seen.js'
