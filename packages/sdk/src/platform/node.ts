/**
 * @module
 * Node.js hooks: `unref()`ed timers (a tracker never keeps a process alive), an LRU of
 * heartbeats, and a flush when the process is about to exit on its own (`beforeExit`).
 */
import { SERVER_DEFAULTS } from '../defaults.js'
import { lruHeartbeats, memoryIdentity } from './memory.js'
import type { Platform } from './platform.js'

interface NodeProcess {
  on(event: 'beforeExit', listener: () => void): unknown
  off(event: 'beforeExit', listener: () => void): unknown
}

/**
 * Flushes of the live trackers, run when the process is about to exit on its own. One process
 * listener for all of them, so many trackers do not trip Node's listener-leak warning. Each
 * flush runs once: its network activity ends, `beforeExit` fires again, and then we let go.
 */
const exitFlushes = new Set<() => void>()
const runExitFlushes = () => {
  const flushes = [...exitFlushes]
  exitFlushes.clear()
  for (const flush of flushes) flush()
  if (exitFlushes.size === 0) proc()?.off('beforeExit', runExitFlushes)
}
const proc = () => (globalThis as { process?: NodeProcess }).process

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
  identity: memoryIdentity,
  attach(core) {
    const flush = () => void core.flush()
    const p = proc()
    if (p?.on) {
      if (exitFlushes.size === 0) p.on('beforeExit', runExitFlushes)
      exitFlushes.add(flush)
    }
    return {
      dispose() {
        exitFlushes.delete(flush)
        if (exitFlushes.size === 0) proc()?.off('beforeExit', runExitFlushes)
      },
    }
  },
}
