/**
 * @module
 * Starting and stopping the service: open storage, migrate, make sure the default project has
 * keys, and serve HTTP.
 */
import type { Server as HttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { createApp } from './app.js'
import { type Config, DEFAULTS } from './config.js'
import { AuthThrottle } from './http/auth-throttle.js'
import { Drain } from './http/drain.js'
import { EventWriter } from './ingest/group-commit/writer.js'
import { RateLimiter } from './ingest/rate-limit.js'
import { ensureDefaultProject, type GeneratedKeys } from './keys/admin.js'
import { controlSocketPath, serveKeyControl, storageKeyAdmin } from './keys/key-control.js'
import { KEY_CACHE_MS, KeyRing } from './keys/key-ring.js'
import { IngestMetrics } from './ops/metrics.js'
import { openStorage, type Storage } from './storage/client.js'
import { applyFsync } from './storage/durability.js'
import { migrate } from './storage/migrations.js'
import { applyEventsTtl } from './storage/retention.js'
import { InactivityMonitor } from './webhooks/monitor.js'

/** A running service. */
export interface RunningServer {
  /** Base URL to reach it on this machine, e.g. `http://127.0.0.1:3000`. */
  url: string
  /**
   * Where it listens, as bound: e.g. `http://0.0.0.0:3000`, which takes connections on every
   * interface, or `http://127.0.0.1:3000`, only from this machine.
   */
  address: string
  storage: Storage
  /** Keys generated on this start (first start without configured keys); shown once. */
  generatedKeys: GeneratedKeys
  /**
   * Stop gracefully: stop accepting connections, let in-flight requests finish (their groups
   * are stored and answered), then close storage. Connections still busy after `timeoutMs`
   * (default `DEFAULTS.shutdownTimeoutMs`, 10 s) are cut.
   */
  close(options?: { timeoutMs?: number }): Promise<void>
  /**
   * Read the API keys from storage now. Keys created or revoked in storage by other means than
   * the `keys` command (which reloads them itself) are otherwise picked up within 10 s.
   */
  reloadKeys(): Promise<void>
}

/** Longest time to receive a request's headers. */
const HEADERS_TIMEOUT_MS = 10_000

/** How long an idle keep-alive connection is kept open. */
const KEEP_ALIVE_TIMEOUT_MS = 5_000

/** Hooks into the start. */
export interface StartOptions {
  /**
   * Called with the keys generated on this start as soon as they are stored, before anything
   * else can fail (the port may still be taken): the one chance to show them.
   */
  onGeneratedKeys?: (keys: GeneratedKeys) => void
}

export async function startServer(
  config: Config,
  options: StartOptions = {},
): Promise<RunningServer> {
  const storage = await openStorage(config.clickhouse)
  await migrate(storage)
  await applyEventsTtl(storage, config.eventsTtlMs)
  await applyFsync(storage, config.fsync)
  const generatedKeys = await ensureDefaultProject(storage, config)
  if (generatedKeys.writeKey || generatedKeys.readKey) options.onGeneratedKeys?.(generatedKeys)
  const keys = new KeyRing(storage, KEY_CACHE_MS, new AuthThrottle())
  await keys.reload()
  const metrics = new IngestMetrics()
  const drain = new Drain()
  const writer = new EventWriter(storage, {
    ...config.writer,
    report: metrics.writerReport,
    // Embedded chDB is opened by this process alone.
    soleWriter: config.clickhouse.kind === 'embedded',
  })
  metrics.watchWriter(writer)
  const app = createApp({
    keys,
    writer,
    metrics,
    maxEventAgeMs: config.maxEventAgeMs,
    rateLimiter: new RateLimiter(config.rateLimit),
    storage,
    inactiveAfterMs: config.inactiveAfterMs,
    drain,
    ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
  })

  const monitor = config.webhook
    ? new InactivityMonitor({
        storage,
        url: config.webhook.url,
        secret: config.webhook.secret,
        format: config.webhook.format,
        intervalMs: config.webhook.intervalMs,
        inactiveAfterMs: config.inactiveAfterMs,
      })
    : undefined

  const listening = new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve(
      {
        fetch: app.fetch,
        port: config.port,
        hostname: config.host,
        serverOptions: {
          // A slow or stalled client may hold a connection (and a descriptor) this long at most.
          requestTimeout: config.http.requestTimeoutMs,
          headersTimeout: Math.min(config.http.requestTimeoutMs, HEADERS_TIMEOUT_MS),
          keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
          // How often those timeouts are checked (Node's default, 30 s, would triple them).
          connectionsCheckingInterval: 1000,
        },
      },
      () => resolve(s),
    )
    s.once('error', reject)
  })
  let server: Awaited<typeof listening>
  try {
    server = await listening
  } catch (err) {
    // The port is taken (or not ours to take): leave the store as found, then say why.
    await writer.close()
    await storage.close()
    throw err
  }
  // Every connection holds a descriptor: past the cap new ones are closed on arrival, so the
  // store always has descriptors left for its parts.
  server.maxConnections = config.http.maxConnections
  server.on('drop', () => metrics.connectionDropped())
  monitor?.start()
  // The embedded store is this process's alone: `keys` commands come through it.
  const control =
    config.clickhouse.kind === 'embedded'
      ? await serveKeyControl(
          controlSocketPath(config.clickhouse.dataDir),
          storageKeyAdmin(storage, () => keys.reload()),
        )
      : undefined
  if (control && 'unavailable' in control) {
    console.warn(`lastseen-ingest: keys commands need the service stopped: ${control.unavailable}`)
  }
  const { port } = server.address() as AddressInfo
  const everywhere = config.host === '0.0.0.0' || config.host === '::'
  const urlHost = (host: string) => (host.includes(':') ? `[${host}]` : host)
  return {
    url: `http://${urlHost(everywhere ? '127.0.0.1' : config.host)}:${port}`,
    address: `http://${urlHost(config.host)}:${port}`,
    storage,
    generatedKeys,
    reloadKeys: () => keys.reload(),
    async close({ timeoutMs = DEFAULTS.shutdownTimeoutMs } = {}) {
      drain.start()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      // Idle keep-alive connections would hold close() open: close them now, and those that
      // turn idle later (answers while draining close their connections themselves). Busy
      // ones get until the timeout.
      const http = server as HttpServer
      http.closeIdleConnections()
      const sweep = setInterval(() => http.closeIdleConnections(), 100)
      const force = setTimeout(() => http.closeAllConnections(), timeoutMs)
      await closed
      clearInterval(sweep)
      clearTimeout(force)
      await monitor?.stop()
      if (control && 'close' in control) await control.close()
      await writer.close()
      await storage.close()
    },
  }
}
