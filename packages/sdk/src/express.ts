/**
 * @module
 * `@lastseen/sdk/express`: one line that marks each request's user as seen in a Express app, at most
 * once per user per heartbeat interval.
 */
export { lastseen } from './middleware/express.js'
export type { SeenMiddlewareOptions, SeenTracker } from './middleware/mark-seen.js'
