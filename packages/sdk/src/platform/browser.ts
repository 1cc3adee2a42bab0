/**
 * @module
 * Browser hooks: storage (see `web-storage.ts`), and the page lifecycle. When the page is hidden
 * everything queued goes out at once, in bodies that fit the beacon budget
 * (`LIMITS.maxBeaconBytes`): `keepalive` fetches while the page may still read the answer,
 * `navigator.sendBeacon` for what is left when it unloads. Those events stay stored until a send
 * is acknowledged; a beacon never answers, so its events are sent again when the page is shown
 * again, or by the next page (the server dedupes them).
 */
import { LIMITS } from '@lastseen/protocol'
import type { Config } from '../config.js'
import type { QueuedEvent } from '../core/queue.js'
import { outcome, type Sender, TEXT_PLAIN } from '../core/transport.js'
import { BROWSER_DEFAULTS } from '../defaults.js'
import type { CoreHandle, Platform } from './platform.js'
import { storedQueue, webHeartbeats, webIdentity } from './web-storage.js'

export const browserPlatform: Platform = {
  defaults: BROWSER_DEFAULTS,
  keyInBody: true,
  keepalive: true,
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  heartbeats: webHeartbeats,
  identity: webIdentity,
  attach: attachPage,
}

function attachPage(core: CoreHandle) {
  /** Sent by beacon: no answer will come, so they stay stored until sent again and acknowledged. */
  let beaconed: QueuedEvent[] = []
  const urgent = keepaliveSender(core.config)
  const changed = core.config.persist ? storedQueue(core, () => beaconed) : undefined
  const doc = globalThis.document as Document | undefined
  const listeners: Array<() => void> = []
  const listen = (target: EventTarget | undefined, type: string, fn: () => void) => {
    if (!target?.addEventListener) return
    target.addEventListener(type, fn)
    listeners.push(() => target.removeEventListener(type, fn))
  }

  /** The page is hidden (`unloading`: it is going away): send everything queued now. */
  function hidden(unloading: boolean): void {
    core.promote()
    core.stopTimer()
    const budget = Math.min(core.config.maxBatchBytes, LIMITS.maxBeaconBytes)
    while (core.queue.length > 0) {
      if (!unloading) {
        void core.send(budget, urgent)
        continue
      }
      const items = core.take(budget)
      beaconed.push(...items)
      if (!beacon(core.config.batchUrl, core.body(items))) break
    }
    changed?.(true)
  }

  /** The page is back: beaconed events got no answer, so send them again (the server dedupes). */
  function visible(): void {
    if (beaconed.length > 0) {
      const items = beaconed
      beaconed = []
      core.requeue(items, false)
    }
    core.heartbeat()
  }

  listen(doc, 'visibilitychange', () => {
    if (doc?.visibilityState === 'hidden') hidden(false)
    else if (doc?.visibilityState === 'visible') visible()
  })
  listen(globalThis as unknown as EventTarget, 'pagehide', () => hidden(true))
  return {
    changed: (now: boolean) => changed?.(now),
    dispose() {
      for (const off of listeners.splice(0)) off()
    },
  }
}

/**
 * POST a body once with `keepalive`, calling `fetch` before returning: the page is being hidden
 * and may be gone before any `await` resumes. No gzip (asynchronous), no retry (the events stay
 * stored until acknowledged). The write key is in the body, so no CORS preflight is needed.
 */
function keepaliveSender(config: Config): Sender {
  return (body) =>
    outcome(
      new Promise<Response>((resolve) =>
        resolve(
          (config.fetch ?? fetch)(config.batchUrl, {
            method: 'POST',
            body,
            headers: { 'content-type': TEXT_PLAIN },
            keepalive: true,
          }),
        ),
      ),
    )
}

/** Last-resort delivery while the page unloads; `false` when the browser would not queue it. */
function beacon(url: string, body: string): boolean {
  try {
    return globalThis.navigator?.sendBeacon?.(url, body) ?? false
  } catch {
    return false
  }
}
