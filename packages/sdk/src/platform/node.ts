/**
 * @module
 * Node.js hooks: `unref()`ed timers (a tracker never keeps a process alive), an LRU of
 * heartbeats, and a flush when the process is about to exit on its own (`beforeExit`).
 */
import { SERVER_DEFAULTS } from '../defaults.js'
import { lruHeartbeats, memoryIdentity } from './memory.js'
import type { Platform } from './platform.js'

interface NodeProcess {
  once(event: 'beforeExit', listener: () => void): unknown
  off(event: 'beforeExit', listener: () => void): unknown
}

export const nodePlatform: Platform = {
  defaults: SERVER_DEFAULTS,
  keyInBody: false,
  keepalive: false,
  setTimer(fn, ms) {
    const timer = setTimeout(fn, ms) as { unref?: () => void }
    timer.unref?.()
    return timer
  },
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  heartbeats: lruHeartbeats,
  storage: () => undefined,
  identity: memoryIdentity,
  lifecycle() {
    const proc = (globalThis as { process?: NodeProcess }).process
    let listener: (() => void) | undefined
    return {
      onExit(handler) {
        if (!proc?.once) return
        // `once`: the flush's own network activity ends, `beforeExit` fires again, and then we let go.
        listener = handler
        proc.once('beforeExit', listener)
      },
      dispose() {
        if (listener) proc?.off('beforeExit', listener)
      },
    }
  },
}
