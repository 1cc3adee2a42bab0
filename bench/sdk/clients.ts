/**
 * @module
 * The three SDKs behind one small interface, configured comparably: batches of 100 events,
 * a 10 s flush interval, a queue large enough to hold the whole run (so none drops events),
 * and no flush per call. Each makes the same call: event `search` with one property, for user
 * `u_<i>` of account `a_<i % 1000>`.
 */

import { WRITE_KEY } from '../lib/keys.js'

/** One SDK as the benchmark drives it. */
export interface BenchClient {
  /** Record the `i`-th call. */
  track(i: number): void
  /** Send everything queued and wait for the sink's answers. */
  drain(): Promise<void>
  /** Shut down, bounded in time. */
  close(): Promise<void>
}

export const SDKS = ['lastseen', 'posthog-node', '@segment/analytics-node'] as const
export type SdkName = (typeof SDKS)[number]

const BATCH = 100
const QUEUE = 250_000
const INTERVAL_MS = 10_000
const CLOSE_MS = 10_000

type Events = { search: { query: string } }

export async function createClient(name: SdkName, sinkUrl: string): Promise<BenchClient> {
  if (name === 'lastseen') {
    const { createTracker } = await import('@lastseen/sdk')
    // Options beyond endpoint/writeKey are passed as the SDK documents them; an SDK version
    // that does not know one ignores it.
    const options: Parameters<typeof createTracker>[0] & Record<string, unknown> = {
      endpoint: sinkUrl,
      writeKey: WRITE_KEY,
      flushAt: BATCH,
      maxWaitMs: INTERVAL_MS,
      maxQueueSize: QUEUE,
    }
    const tracker = createTracker<Events>(options)
    const withShutdown = tracker as typeof tracker & {
      shutdown?: (o: { timeoutMs: number }) => Promise<void>
    }
    return {
      track: (i) =>
        tracker.track(
          'search',
          { query: `q${i}` },
          { userId: `u_${i}`, accountId: `a_${i % 1000}` },
        ),
      drain: () => tracker.flush(),
      close: async () => {
        if (withShutdown.shutdown) await withShutdown.shutdown({ timeoutMs: CLOSE_MS })
        else await tracker.flush()
      },
    }
  }
  if (name === 'posthog-node') {
    const { PostHog } = await import('posthog-node')
    const client = new PostHog('phc_bench_project_key', {
      host: sinkUrl,
      flushAt: BATCH,
      maxBatchSize: BATCH,
      maxQueueSize: QUEUE,
      flushInterval: INTERVAL_MS,
    })
    return {
      track: (i) =>
        client.capture({
          distinctId: `u_${i}`,
          event: 'search',
          properties: { query: `q${i}` },
          groups: { account: `a_${i % 1000}` },
        }),
      drain: () => client.flush(),
      close: () => client.shutdown(CLOSE_MS),
    }
  }
  const { Analytics } = await import('@segment/analytics-node')
  const analytics = new Analytics({
    writeKey: 'segment_bench_write_key',
    host: sinkUrl,
    path: '/v1/batch',
    maxEventsInBatch: BATCH,
    flushInterval: INTERVAL_MS,
  })
  return {
    track: (i) =>
      analytics.track({
        userId: `u_${i}`,
        event: 'search',
        properties: { query: `q${i}` },
        context: { groupId: `a_${i % 1000}` },
      }),
    drain: () => analytics.flush({ timeout: CLOSE_MS }),
    close: () => analytics.closeAndFlush({ timeout: CLOSE_MS }),
  }
}
