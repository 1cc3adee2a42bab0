/**
 * @module
 * `@lastseen/ingest` as a library: embed the service in your own Node process.
 */

export type { AppDeps } from './app.js'
export { createApp } from './app.js'
export type { Config } from './config.js'
export { ConfigError, readConfig } from './config.js'
export type { RunningServer } from './server.js'
export { startServer } from './server.js'
