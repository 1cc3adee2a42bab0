/**
 * @module
 * Browser hooks: storage (see `web-storage.ts`), page lifecycle (`visibilitychange`, `pagehide`),
 * and `sendBeacon` for what is left when the page unloads.
 */
import { BROWSER_DEFAULTS } from '../defaults.js'
import type { Platform } from './platform.js'
import { webEventStorage, webHeartbeats, webIdentity } from './web-storage.js'

export const browserPlatform: Platform = {
  defaults: BROWSER_DEFAULTS,
  keyInBody: true,
  keepalive: true,
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  heartbeats: webHeartbeats,
  storage: webEventStorage,
  identity: webIdentity,
  lifecycle() {
    const doc = globalThis.document as Document | undefined
    const win = globalThis as unknown as Partial<Window>
    const listeners: Array<() => void> = []
    const listen = (target: EventTarget | undefined, type: string, fn: () => void) => {
      if (!target?.addEventListener) return
      target.addEventListener(type, fn)
      listeners.push(() => target.removeEventListener(type, fn))
    }
    return {
      onHide(handler) {
        listen(doc, 'visibilitychange', () => doc?.visibilityState === 'hidden' && handler(false))
        listen(win as EventTarget, 'pagehide', () => handler(true))
      },
      onVisible(handler) {
        listen(doc, 'visibilitychange', () => doc?.visibilityState === 'visible' && handler())
      },
      dispose() {
        for (const off of listeners.splice(0)) off()
      },
    }
  },
  beacon(url, body) {
    try {
      return globalThis.navigator?.sendBeacon?.(url, body) ?? false
    } catch {
      return false
    }
  },
}
