/**
 * @module
 * The inactivity monitor: every `LASTSEEN_WEBHOOK_INTERVAL` it finds users and accounts that
 * went quiet, came back or began declining, claims their notifications, and delivers the ones it won. State is
 * in ClickHouse only, so a restart or a second process never sends a notification twice.
 */
import { randomUUID } from 'node:crypto'
import { DEFAULTS, type DigestAt, parseDigestAt } from '../config.js'
import type { DecliningCriteria } from '../insights/declining.js'
import type { Storage } from '../storage/client.js'
import { buildNotifications } from './build-claims.js'
import { digestClaim } from './build-digest.js'
import {
  type Claim,
  type ClaimedNotification,
  claimedNotifications,
  insertClaims,
  insertStates,
  recordOutcome,
} from './claims.js'
import { type DeliveryOptions, deliver } from './deliver.js'
import { deliverEmail, type EmailChannel } from './deliver-email.js'
import { type DigestEnvelope, type DigestReason, parseHeld } from './digest.js'
import { type Candidate, dueDeclining, dueNotifications } from './episodes.js'
import type { WebhookFormat } from './payload.js'
import { planClaims } from './plan-claims.js'
import type { Channel } from './render.js'
import { watchedSince } from './watch-marks.js'

/** Claims per insert: small enough that an insert is quick next to the settle delay. */
const CLAIM_CHUNK = 500

/** Notifications sent at the same time. */
const DELIVERY_CONCURRENCY = 4

export interface InactivityMonitorOptions {
  storage: Storage
  /** `LASTSEEN_WEBHOOK_URL`; unset, nothing goes to a webhook. */
  url?: string | undefined
  /** Email through SMTP; unset, nothing goes by email. */
  email?: EmailChannel | undefined
  /** `LASTSEEN_NOTIFY`. @default `DEFAULTS.notifyMode` */
  mode?: 'instant' | 'digest'
  /** `LASTSEEN_NOTIFY_MAX`: more new episodes in one check come as one digest. @default `DEFAULTS.notifyMax` */
  max?: number
  /** `LASTSEEN_DIGEST_AT`. @default daily at `DEFAULTS.digestAt` */
  digestAt?: DigestAt
  /** Episodes listed by name in a digest. @default `DEFAULTS.digestTop` */
  digestTop?: number
  /** `LASTSEEN_PUBLIC_URL`: the dashboard, linked from digests. */
  publicUrl?: string | undefined
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
  private readonly options: Required<
    Omit<InactivityMonitorOptions, 'secret' | 'delivery' | 'url' | 'email' | 'publicUrl'>
  > &
    Pick<InactivityMonitorOptions, 'secret' | 'delivery' | 'url' | 'email' | 'publicUrl'>
  /** The channels this process delivers to. */
  private readonly channels: Channel[]

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
      mode: DEFAULTS.notifyMode,
      max: DEFAULTS.notifyMax,
      digestAt: parseDigestAt(DEFAULTS.digestAt),
      digestTop: DEFAULTS.digestTop,
      settleMs: 2000,
      leaseMs: 600_000,
      clock: Date.now,
      log: (m) => console.error(m),
      ...options,
    }
    this.channels = [
      ...(options.url ? (['webhook'] as const) : []),
      ...(options.email ? (['email'] as const) : []),
    ]
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
    const pending = await claimedNotifications(storage)
    // Held episodes a pending digest stands for: that digest records them.
    const carried = new Set<string>()
    for (const p of pending) {
      if (p.candidate.kind !== 'digest') continue
      for (const m of (JSON.parse(p.payload) as DigestEnvelope).members)
        carried.add(m.notificationId)
    }
    const groups = new Map<string, { reason: DigestReason; members: ClaimedNotification[] }>()
    for (const p of pending) {
      if (p.ageMs < this.options.settleMs || carried.has(p.notificationId)) continue
      if (!this.channels.includes(p.channel)) continue
      const held = p.candidate.kind === 'digest' ? undefined : parseHeld(p.payload)
      const slot = held ? Date.parse(held.held.slot) : 0
      if (p.winner === this.claimer) {
        if (held) {
          if (slot > now) continue
          const key = [p.candidate.projectId, p.channel, held.held.reason].join('\n')
          const group = groups.get(key) ?? { reason: held.held.reason, members: [] }
          groups.set(key, group)
          group.members.push(p)
        } else if (!this.inFlight.has(p.notificationId)) {
          this.send(p)
          delivering++
        }
      } else if (
        p.winner === '' ||
        // The winner never delivered; a held episode waits for its digest's time first.
        (p.ageMs > this.options.leaseMs && (!held || now > slot + this.options.leaseMs))
      ) {
        takeovers.push({
          candidate: p.candidate,
          channel: p.channel,
          notificationId: p.notificationId,
          lease: p.lease + 1,
          payload: p.payload,
        })
      }
    }
    // Marks a project's first look before its first episodes can exist.
    const watched = await watchedSince(storage, this.claimer)
    const due: Candidate[] = []
    for (const level of ['user', 'account'] as const) {
      due.push(...(await dueNotifications(storage, level, now, this.options.inactiveAfterMs)))
      due.push(...(await dueDeclining(storage, level, now, this.options.declining)))
    }
    const built = await buildNotifications(storage, due, {
      now,
      inactiveAfterMs: this.options.inactiveAfterMs,
    })
    const fresh = planClaims(built, watched, {
      now,
      channels: this.channels,
      format: this.options.format,
      mode: this.options.mode,
      max: this.options.max,
      digestAt: this.options.digestAt,
      inactiveAfterMs: this.options.inactiveAfterMs,
    })
    // Projects whose backfill is still arriving (found now, or claims still settling): one
    // summary once a check finds nothing more.
    const arriving = new Set(
      [...fresh, ...pending.filter((p) => p.ageMs < this.options.settleMs)]
        .filter((c) => parseHeld(c.payload)?.held.reason === 'backfill')
        .map((c) => c.candidate.projectId),
    )
    const digests: Claim[] = []
    for (const { reason, members } of groups.values()) {
      const first = members[0] as ClaimedNotification
      // …but a backfill trickling in for longer than a lease is summarised as it stands.
      const waited = Math.max(...members.map((m) => m.ageMs))
      if (
        reason === 'backfill' &&
        arriving.has(first.candidate.projectId) &&
        waited < this.options.leaseMs
      ) {
        continue
      }
      digests.push(
        await digestClaim(
          storage,
          members,
          {
            projectId: first.candidate.projectId,
            channel: first.channel,
            format: first.channel === 'email' ? 'email' : this.options.format,
            reason,
            slot: new Date(now).toISOString(),
          },
          {
            now,
            inactiveAfterMs: this.options.inactiveAfterMs,
            declining: this.options.declining,
            publicUrl: this.options.publicUrl,
            top: this.options.digestTop,
          },
        ),
      )
    }
    const claims = [...takeovers, ...digests, ...fresh]
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
    const digest =
      p.candidate.kind === 'digest' ? (JSON.parse(p.payload) as DigestEnvelope) : undefined
    const body = digest ? digest.body : p.payload
    const options = { signal: this.abort.signal, ...this.options.delivery }
    const outcome =
      p.channel === 'email' && this.options.email
        ? await deliverEmail(p.notificationId, body, this.options.email, options)
        : await deliver(p.notificationId, body, {
            url: this.options.url ?? '',
            secret: this.options.secret,
            ...options,
          })
    if (outcome === 'later') return
    if (outcome === 'refused') {
      this.options.log(
        `lastseen-ingest: ${p.channel === 'email' ? 'SMTP server' : 'webhook receiver'} refused notification ${p.notificationId}`,
      )
    }
    const state: 'delivered' | 'failed' = outcome === 'delivered' ? 'delivered' : 'failed'
    // A digest and every episode it stands for are recorded in one insert: all or none.
    await insertStates(
      this.options.storage,
      [
        { item: p, state, payload: '' },
        ...(digest?.members ?? []).map((m) => ({
          item: {
            notificationId: m.notificationId,
            lease: m.lease,
            channel: p.channel,
            candidate: m,
          },
          state,
          payload: '',
        })),
      ],
      this.claimer,
    )
  }
}
