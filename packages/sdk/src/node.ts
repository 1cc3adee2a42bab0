/**
 * @module
 * `@lastseen/sdk` for Node.js.
 */
export * from './index.js'
