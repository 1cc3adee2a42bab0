/**
 * @module
 * `@lastseen/sdk` for browsers.
 */
export * from './index.js'
