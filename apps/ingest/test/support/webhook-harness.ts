/**
 * @module
 * Driving inactivity monitors by hand in tests: monitors on one store with short settle and
 * retry delays, a round (claim, let the claims settle, deliver, wait for the outcomes), and a
 * watch mark far in the past, so that seeded history counts as episodes that began while the
 * service watched (not as a backfill, which is summarised).
 */
import type { Storage } from '../../src/storage/client.js'
import { InactivityMonitor, type InactivityMonitorOptions } from '../../src/webhooks/monitor.js'

export const SETTLE_MS = 300
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export interface WebhookHarness {
  /** A monitor with the harness's defaults, `options` over them; stopped by {@link stopAll}. */
  monitor(options?: Partial<InactivityMonitorOptions>): InactivityMonitor
  /** Claim, let the claims settle, deliver, and wait for the deliveries to be recorded. */
  round(...ms: InactivityMonitor[]): Promise<{ claimed: number; delivering: number }>
  /** Stop every monitor made so far (they also check on their own every minute). */
  stopAll(): Promise<void>
}

export function webhookHarness(
  defaults: () => Pick<InactivityMonitorOptions, 'storage'> & Partial<InactivityMonitorOptions>,
): WebhookHarness {
  const monitors: InactivityMonitor[] = []
  return {
    monitor(options = {}) {
      const m = new InactivityMonitor({
        settleMs: SETTLE_MS,
        intervalMs: 60_000,
        delivery: { attempts: 4, backoffMs: 50 },
        log: () => {},
        ...defaults(),
        ...options,
      })
      monitors.push(m)
      return m
    },
    async round(...ms) {
      const claimed = await Promise.all(ms.map((m) => m.check()))
      await sleep(SETTLE_MS + 50)
      const delivered = await Promise.all(ms.map((m) => m.check()))
      await Promise.all(ms.map((m) => m.idle()))
      return {
        claimed: claimed.reduce((n, r) => n + r.claimed, 0),
        delivering: delivered.reduce((n, r) => n + r.delivering, 0),
      }
    },
    async stopAll() {
      await Promise.all(monitors.splice(0).map((m) => m.stop()))
    },
  }
}

/** Record that the monitor has watched `projectId` for a year. */
export async function watchedForAYear(storage: Storage, projectId = 'default'): Promise<void> {
  const at = new Date(Date.now() - 365 * 86_400_000).toISOString().replace('T', ' ').slice(0, 23)
  await storage.client.insert({
    table: `${storage.database}.webhook_claims`,
    format: 'JSONEachRow',
    values: [
      {
        project_id: projectId,
        level: 'account',
        entity_id: 'first-look',
        seq: 0,
        kind: 'inactive',
        role: 'watch',
        notification_id: `test-watch-${projectId}`,
        lease: 0,
        claimer: 'test',
        state: 'delivered',
        since: at,
        payload: '',
        at,
      },
    ],
  })
}
