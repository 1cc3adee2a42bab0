/**
 * @module
 * Hooks for fetch-based runtimes (Cloudflare Workers, Vercel Edge, Deno, Bun): plain timers,
 * an LRU of heartbeats per isolate. There is no exit hook: call `await tracker.flush()` or
 * `ctx.waitUntil(tracker.flush())` at the end of each request.
 */
import { SERVER_DEFAULTS } from '../defaults.js'
import { lruHeartbeats, memoryIdentity } from './memory.js'
import type { Platform } from './platform.js'

export const edgePlatform: Platform = {
  defaults: SERVER_DEFAULTS,
  keyInBody: false,
  keepalive: false,
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  heartbeats: lruHeartbeats,
  identity: memoryIdentity,
}
