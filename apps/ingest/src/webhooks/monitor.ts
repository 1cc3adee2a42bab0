/**
 * @module
 * The inactivity monitor: every `LASTSEEN_WEBHOOK_INTERVAL` it finds users and accounts that
 * went quiet, came back or began declining, claims their notifications, and delivers the ones it won. State is
 * in ClickHouse only, so a restart or a second process never sends a notification twice.
 */
import { randomUUID } from 'node:crypto'
import { DEFAULTS } from '../config.js'
import type { DecliningCriteria } from '../insights/declining.js'
import type { Storage } from '../storage/client.js'
import { buildClaims } from './build-claims.js'
import {
  type Claim,
  type ClaimedNotification,
  claimedNotifications,
  insertClaims,
  recordOutcome,
} from './claims.js'
import { type DeliveryOptions, deliver } from './deliver.js'
import { type Candidate, dueDeclining, dueNotifications } from './episodes.js'
import type { WebhookFormat } from './payload.js'

/** Claims per insert: small enough that an insert is quick next to the settle delay. */
const CLAIM_CHUNK = 500

/** Notifications sent at the same time. */
const DELIVERY_CONCURRENCY = 4

export interface InactivityMonitorOptions {
  storage: Storage
  /** `LASTSEEN_WEBHOOK_URL`. */
  url: string
  /** `LASTSEEN_WEBHOOK_SECRET`; deliveries are unsigned without it. */
  secret?: string | undefined
  /** @default `DEFAULTS.webhookFormat` */
  format?: WebhookFormat
  /** `LASTSEEN_INACTIVE_AFTER`. @default `DEFAULTS.inactiveAfterMs` */
  inactiveAfterMs?: number
  /** What `*.declining` means. @default the defaults of `GET /v1/declining` */
  declining?: DecliningCriteria
  /** `LASTSEEN_WEBHOOK_INTERVAL`. @default `DEFAULTS.webhookIntervalMs` */
  intervalMs?: number
  /** How old the first claim must be before a winner is named. @default 2000 */
  settleMs?: number
  /** After this long without a delivery, another process may take a claim over. @default 600000 */
  leaseMs?: number
  /** Attempts and backoff of each delivery round. @default { attempts: 5, backoffMs: 1000 } */
  delivery?: Pick<DeliveryOptions, 'attempts' | 'backoffMs' | 'timeoutMs'>
  /** The time a check treats as now (ms), to look ahead in tests. @default Date.now */
  clock?: () => number
  /** Where problems are reported. @default console.error */
  log?: (message: string) => void
}

/** What one check did. */
export interface CheckResult {
  /** Notifications claimed by this process in this check. */
  claimed: number
  /** Deliveries started (won claims, including retries of earlier rounds). */
  delivering: number
}

export class InactivityMonitor {
  /** This process's name in `webhook_claims`; new on every start. */
  readonly claimer = randomUUID()
  private timer: NodeJS.Timeout | undefined
  private running: Promise<CheckResult> | undefined
  private readonly inFlight = new Map<string, Promise<void>>()
  /** Deliveries run at most this many at a time, so a first start does not flood the receiver. */
  private slots = DELIVERY_CONCURRENCY
  private readonly waiting: (() => void)[] = []
  private readonly abort = new AbortController()
  private readonly options: Required<Omit<InactivityMonitorOptions, 'secret' | 'delivery'>> &
    Pick<InactivityMonitorOptions, 'secret' | 'delivery'>

  constructor(options: InactivityMonitorOptions) {
    this.options = {
      format: DEFAULTS.webhookFormat,
      inactiveAfterMs: DEFAULTS.inactiveAfterMs,
      declining: {
        windowDays: DEFAULTS.decliningWindowDays,
        baselineDays: DEFAULTS.decliningBaselineDays,
        drop: DEFAULTS.decliningDrop,
      },
      intervalMs: DEFAULTS.webhookIntervalMs,
      settleMs: 2000,
      leaseMs: 600_000,
      clock: Date.now,
      log: (m) => console.error(m),
      ...options,
    }
  }

  /** Check now, then every interval (sooner while fresh claims wait to settle). */
  start(): void {
    this.schedule(0)
  }

  /** Stop checking; pending retries are abandoned (another round picks them up later). */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.abort.abort()
    await this.running?.catch(() => undefined)
    await Promise.all(this.inFlight.values())
  }

  /** Resolves once every delivery started so far has finished (delivered, refused or later). */
  async idle(): Promise<void> {
    await Promise.all(this.inFlight.values())
  }

  private schedule(delay: number) {
    if (this.abort.signal.aborted) return
    this.timer = setTimeout(async () => {
      let next = this.options.intervalMs
      try {
        const result = await this.check()
        if (result.claimed > 0) next = Math.min(next, this.options.settleMs + 100)
      } catch (err) {
        this.options.log(`lastseen-ingest: inactivity check failed: ${(err as Error).message}`)
      }
      this.schedule(next)
    }, delay)
    this.timer.unref()
  }

  /** One round: deliver settled claims this process won, then claim what became due. */
  check(): Promise<CheckResult> {
    this.running ??= this.round().finally(() => {
      this.running = undefined
    })
    return this.running
  }

  private async round(): Promise<CheckResult> {
    const { storage } = this.options
    const now = this.options.clock()
    let delivering = 0
    const takeovers: Claim[] = []
    for (const p of await claimedNotifications(storage)) {
      if (p.ageMs < this.options.settleMs) continue
      if (p.winner === this.claimer) {
        if (!this.inFlight.has(p.notificationId)) {
          this.send(p)
          delivering++
        }
      } else if (p.winner === '' || p.ageMs > this.options.leaseMs) {
        // Every claimer withdrew, or the winner never delivered: claim it again, one lease up.
        takeovers.push({
          candidate: { ...p.candidate, accountId: null, lastSeen: p.candidate.since },
          notificationId: p.notificationId,
          lease: p.lease + 1,
          payload: p.payload,
        })
      }
    }
    const due: Candidate[] = []
    for (const level of ['user', 'account'] as const) {
      due.push(...(await dueNotifications(storage, level, now, this.options.inactiveAfterMs)))
      due.push(...(await dueDeclining(storage, level, now, this.options.declining)))
    }
    const fresh = await buildClaims(storage, due, {
      now,
      inactiveAfterMs: this.options.inactiveAfterMs,
      format: this.options.format,
    })
    const claims = [...takeovers, ...fresh]
    let claimed = 0
    for (let i = 0; i < claims.length; i += CLAIM_CHUNK) {
      const chunk = claims.slice(i, i + CLAIM_CHUNK)
      const started = Date.now()
      await insertClaims(storage, chunk, this.claimer)
      if (Date.now() - started > this.options.settleMs / 2) {
        // Too slow to be sure no other claim landed before ours unseen: drop out of these.
        await recordOutcome(storage, chunk, this.claimer, 'withdrawn')
      } else {
        claimed += chunk.length
      }
    }
    return { claimed, delivering }
  }

  /** Wait for one of the delivery slots. */
  private async acquire(): Promise<void> {
    if (this.slots > 0) {
      this.slots--
      return
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve))
  }

  private release(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.slots++
  }

  private send(p: ClaimedNotification) {
    const run = (async () => {
      await this.acquire()
      try {
        await this.deliverOne(p)
      } finally {
        this.release()
      }
    })()
      .catch((err: Error) =>
        this.options.log(`lastseen-ingest: webhook delivery failed: ${err.message}`),
      )
      .finally(() => this.inFlight.delete(p.notificationId))
    this.inFlight.set(p.notificationId, run)
  }

  private async deliverOne(p: ClaimedNotification): Promise<void> {
    const outcome = await deliver(p.notificationId, p.payload, {
      url: this.options.url,
      secret: this.options.secret,
      signal: this.abort.signal,
      ...this.options.delivery,
    })
    if (outcome === 'later') return
    if (outcome === 'refused') {
      this.options.log(`lastseen-ingest: webhook receiver refused notification ${p.notificationId}`)
    }
    const state = outcome === 'delivered' ? 'delivered' : 'failed'
    await recordOutcome(this.options.storage, [p], this.claimer, state)
  }
}
