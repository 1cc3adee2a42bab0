/**
 * @module
 * The service's configuration: the environment is read and validated here and nowhere else, and
 * every default lives in {@link DEFAULTS}.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { LIMITS } from '@lastseen/protocol'
import { z } from 'zod'
import { describeIssues } from './errors.js'
import { MIN_KEY_MATERIAL } from './keys/hash.js'

const DAY_MS = 86_400_000

/**
 * Every default of the service, by what it sets. Modules that take one of these as an option
 * fall back to the value here, so a default is written once.
 */
export const DEFAULTS = {
  /** `PORT`. */
  port: 3000,
  /** `HOST`. */
  host: '0.0.0.0',
  /** `LASTSEEN_DATA_DIR`: where embedded ClickHouse keeps its files. */
  dataDir: './.lastseen',
  /** `CLICKHOUSE_DATABASE`. */
  database: 'lastseen',
  /** `LASTSEEN_WEBHOOK_INTERVAL`: how often the inactivity check runs. */
  webhookIntervalMs: 60_000,
  /** `LASTSEEN_WEBHOOK_FORMAT`. */
  webhookFormat: 'lastseen',
  /** `LASTSEEN_NOTIFY`: one message per episode as it begins, or a scheduled digest. */
  notifyMode: 'instant',
  /** `LASTSEEN_NOTIFY_MAX`: more new episodes than this in one check come as one digest. */
  notifyMax: 20,
  /** `LASTSEEN_DIGEST_AT`: when the scheduled digest is sent (`HH:MM` UTC daily, or `hourly`). */
  digestAt: '08:00',
  /** `LASTSEEN_NOTIFY_FROM`: the sender of notification emails. */
  notifyFrom: 'lastseen <lastseen@localhost>',
  /** Episodes listed by name in a digest; the rest are counted ("and 12 more"). */
  digestTop: 10,
  /** `LASTSEEN_INACTIVE_AFTER`: not seen for this long is inactive (14 days). */
  inactiveAfterMs: 14 * DAY_MS,
  /** `GET /v1/declining` and the declining webhooks: recent days, in days. */
  decliningWindowDays: 14,
  /** `GET /v1/declining` and the declining webhooks: the baseline before the window, in days. */
  decliningBaselineDays: 56,
  /** `GET /v1/declining` and the declining webhooks: the least drop from expected, 0–1. */
  decliningDrop: 0.5,
  /** `GET /v1/lifecycle`: periods listed when `from` is not given. */
  lifecyclePeriods: 12,
  /** `GET /v1/retention`: cohorts when `cohorts` is not given. */
  retentionCohorts: 8,
  /** `LASTSEEN_MAX_EVENT_AGE`: the late-event window (10 years). */
  maxEventAgeMs: 3650 * DAY_MS,
  /** `LASTSEEN_INSERT_INTERVAL`: least time between the starts of two group inserts. */
  insertIntervalMs: 50,
  /** `LASTSEEN_STORAGE_TIMEOUT`: deadline of the storage calls requests wait on. */
  storageTimeoutMs: 10_000,
  /** `LASTSEEN_MAX_QUEUE`: most events waiting to be stored. */
  maxQueuedEvents: 100_000,
  /** `LASTSEEN_FSYNC`. */
  fsync: 'on',
  /** `LASTSEEN_RATE_LIMIT`: events per second per write key. */
  rateLimit: 100_000,
  /** `LASTSEEN_REQUEST_TIMEOUT`: longest time to receive a whole request. */
  requestTimeoutMs: 15_000,
  /** Longest wait for in-flight requests when the service stops, before connections are cut. */
  shutdownTimeoutMs: 10_000,
  /** `LASTSEEN_POSTHOG_ACCOUNT_GROUP`: the PostHog group type whose key is an event's account. */
  posthogAccountGroup: 'company',
} as const

const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)$/, 'a duration such as 30s, 15m, 2h or 14d')
  .transform(parseDuration)

const port = z
  .string()
  .regex(/^\d{1,5}$/, 'a port number from 0 to 65535 (0: any free port)')
  .transform(Number)
  .refine((n) => n <= 65535, 'a port number from 0 to 65535 (0: any free port)')

/**
 * A key set by environment variable: the prefix, then at least 32 characters of key material,
 * enough to be unguessable when random (a shorter one could be guessed offline from its stored
 * digest, or online).
 */
const configuredKey = (prefix: 'lsw_' | 'lsr_') =>
  z
    .string()
    .regex(
      new RegExp(`^${prefix}[A-Za-z0-9_-]{${MIN_KEY_MATERIAL},}$`),
      `${prefix} and at least ${MIN_KEY_MATERIAL} random characters of A-Z a-z 0-9 _ - ` +
        `(make one with: echo ${prefix}$(openssl rand -hex 24)), or unset it to have one generated`,
    )

const schema = z.object({
  PORT: port.default(DEFAULTS.port),
  HOST: z.string().min(1).default(DEFAULTS.host),
  CLICKHOUSE_URL: z.url({ protocol: /^https?$/ }).optional(),
  LASTSEEN_DATA_DIR: z.string().min(1).default(DEFAULTS.dataDir),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'letters, digits and underscores')
    .default(DEFAULTS.database),
  CLICKHOUSE_USER: z.string().optional(),
  CLICKHOUSE_PASSWORD: z.string().optional(),
  CLICKHOUSE_CLUSTER: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'letters, digits and underscores')
    .optional(),
  LASTSEEN_WRITE_KEY: configuredKey('lsw_').optional(),
  LASTSEEN_READ_KEY: configuredKey('lsr_').optional(),
  LASTSEEN_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  LASTSEEN_WEBHOOK_SECRET: z.string().min(16).optional(),
  LASTSEEN_WEBHOOK_INTERVAL: duration.default(DEFAULTS.webhookIntervalMs),
  LASTSEEN_WEBHOOK_FORMAT: z
    .enum(['lastseen', 'slack'], { message: "'lastseen' or 'slack'" })
    .default(DEFAULTS.webhookFormat),
  LASTSEEN_NOTIFY: z
    .enum(['instant', 'digest'], { message: "'instant' or 'digest'" })
    .default(DEFAULTS.notifyMode),
  LASTSEEN_NOTIFY_MAX: z.coerce.number().int().min(1).default(DEFAULTS.notifyMax),
  LASTSEEN_DIGEST_AT: z
    .string()
    .regex(
      /^(hourly|([01]\d|2[0-3]):[0-5]\d|\d+(ms|s|m|h|d))$/,
      "'hourly', a UTC time of day such as 08:00, or a duration such as 15m",
    )
    .refine((t) => !/^\d+(ms|s|m|h|d)$/.test(t) || parseDuration(t) >= 1000, 'at least 1s')
    .default(DEFAULTS.digestAt),
  LASTSEEN_SMTP_URL: z
    .url({ protocol: /^smtps?$/, message: 'an smtp:// or smtps:// URL' })
    .optional(),
  LASTSEEN_NOTIFY_EMAIL: z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    )
    .refine(
      (list) => list.length > 0 && list.every((a) => z.email().safeParse(a).success),
      'email addresses separated by commas',
    )
    .optional(),
  LASTSEEN_NOTIFY_FROM: z.string().min(3).default(DEFAULTS.notifyFrom),
  LASTSEEN_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  LASTSEEN_INACTIVE_AFTER: duration.default(DEFAULTS.inactiveAfterMs),
  LASTSEEN_MAX_EVENT_AGE: duration.default(DEFAULTS.maxEventAgeMs),
  LASTSEEN_EVENTS_TTL: duration.optional(),
  LASTSEEN_INSERT_INTERVAL: duration.default(DEFAULTS.insertIntervalMs),
  LASTSEEN_STORAGE_TIMEOUT: duration
    .default(DEFAULTS.storageTimeoutMs)
    .refine((ms) => ms >= 100, 'at least 100ms'),
  LASTSEEN_MAX_QUEUE: z.coerce.number().int().min(1000).default(DEFAULTS.maxQueuedEvents),
  LASTSEEN_FSYNC: z.enum(['on', 'off'], { message: "'on' or 'off'" }).default(DEFAULTS.fsync),
  LASTSEEN_RATE_LIMIT: z.coerce.number().int().min(0).default(DEFAULTS.rateLimit),
  LASTSEEN_REQUEST_TIMEOUT: duration
    .refine((ms) => ms >= 1000 && ms <= 300_000, 'from 1s to 300s')
    .default(DEFAULTS.requestTimeoutMs),
  LASTSEEN_MAX_CONNECTIONS: z.coerce.number().int().min(1).optional(),
  LASTSEEN_METRICS_TOKEN: z
    .string()
    .regex(
      /^[\x21-\x7e]{16,}$/,
      '16 or more printable characters without spaces (make one with: openssl rand -hex 24)',
    )
    .optional(),
  LASTSEEN_POSTHOG_ACCOUNT_GROUP: z
    .string()
    .regex(
      new RegExp(`^[\\x21-\\x7e]{1,${LIMITS.maxNameLength}}$`),
      `a PostHog group type such as company: 1 to ${LIMITS.maxNameLength} printable characters without spaces`,
    )
    .default(DEFAULTS.posthogAccountGroup),
})

/**
 * Command-line flags that set a variable; a flag wins over the environment, and a bad value is
 * named by its flag.
 */
export interface ConfigFlags {
  /** `--port`, over `PORT`. */
  port?: string
  /** `--host`, over `HOST`. */
  host?: string
  /** `--data-dir`, over `LASTSEEN_DATA_DIR`. */
  dataDir?: string
}

const FLAG_VARIABLES = {
  port: ['PORT', '--port'],
  host: ['HOST', '--host'],
  dataDir: ['LASTSEEN_DATA_DIR', '--data-dir'],
} as const satisfies Record<keyof ConfigFlags, readonly [keyof z.input<typeof schema>, string]>

/** The validated configuration. Durations are in milliseconds. */
export interface Config {
  port: number
  host: string
  clickhouse: (
    | { kind: 'embedded'; dataDir: string; database: string }
    | {
        kind: 'remote'
        url: string
        database: string
        username?: string
        password?: string
        cluster?: string
      }
  ) & {
    /**
     * Most time a storage call a request waits on (an insert, a read, a key reload, `/readyz`)
     * may take before it is abandoned and answered 503, and a webhook check's query before it
     * is abandoned (`LASTSEEN_STORAGE_TIMEOUT`).
     * @default `DEFAULTS.storageTimeoutMs`
     */
    timeoutMs: number
  }
  writeKey?: string
  readKey?: string
  webhook?: {
    url: string
    secret?: string
    /** How often the inactivity check runs (`LASTSEEN_WEBHOOK_INTERVAL`). @default `DEFAULTS.webhookIntervalMs` */
    intervalMs: number
    /** Payload format (`LASTSEEN_WEBHOOK_FORMAT`). @default `DEFAULTS.webhookFormat` */
    format: 'lastseen' | 'slack'
  }
  /** How notifications are grouped, and the email channel. */
  notify: {
    /** How often the check runs, for the webhook and email alike (`LASTSEEN_WEBHOOK_INTERVAL`). @default `DEFAULTS.webhookIntervalMs` */
    intervalMs: number
    /** `instant`: a message per episode as it begins; `digest`: one scheduled message (`LASTSEEN_NOTIFY`). @default `DEFAULTS.notifyMode` */
    mode: 'instant' | 'digest'
    /** More new episodes than this in one check come as one digest (`LASTSEEN_NOTIFY_MAX`). @default `DEFAULTS.notifyMax` */
    max: number
    /** When the scheduled digest goes out (`LASTSEEN_DIGEST_AT`): daily at `HH:MM` UTC, `hourly`, or every duration. @default `DEFAULTS.digestAt` */
    digestAt: DigestAt
    /** Email through SMTP (`LASTSEEN_SMTP_URL`, `LASTSEEN_NOTIFY_EMAIL`, `LASTSEEN_NOTIFY_FROM`); unset without both. */
    email?: { smtpUrl: string; to: string[]; from: string }
    /** Where the dashboard is reachable, for links in messages (`LASTSEEN_PUBLIC_URL`); unset, no links. */
    publicUrl?: string
  }
  /** Not seen for this long is inactive (`LASTSEEN_INACTIVE_AFTER`). @default `DEFAULTS.inactiveAfterMs` */
  inactiveAfterMs: number
  /**
   * Late-event window: events older than this (after skew correction) are rejected
   * (`LASTSEEN_MAX_EVENT_AGE`). @default `DEFAULTS.maxEventAgeMs`
   */
  maxEventAgeMs: number
  /** Raw `events` rows expire this long after their timestamp; unset keeps them. */
  eventsTtlMs?: number
  /**
   * Inserts are fsynced before they are acknowledged (`LASTSEEN_FSYNC`); off, a `200` means
   * the page cache. @default `DEFAULTS.fsync`
   */
  fsync: boolean
  /** Group commit tuning. */
  writer: { minIntervalMs: number; maxQueuedEvents: number }
  /** Events per second per write key (burst: two seconds' worth); 0 turns the limit off. */
  rateLimit: number
  /** The connections and requests the HTTP server takes. */
  http: {
    /**
     * Longest time to receive a whole request, headers and body (`LASTSEEN_REQUEST_TIMEOUT`);
     * a slower client gets 408 and its connection closed. @default `DEFAULTS.requestTimeoutMs`
     */
    requestTimeoutMs: number
    /**
     * Most open client connections (`LASTSEEN_MAX_CONNECTIONS`); more are closed on arrival.
     * @default half the process's open-file limit, so the store keeps descriptors in reserve
     */
    maxConnections: number
  }
  /** Bearer token `/metrics` requires (`LASTSEEN_METRICS_TOKEN`); unset, `/metrics` is open. */
  metricsToken?: string
  /**
   * The PostHog group type whose key is the account of an event (`properties.$groups`) and whose
   * `$groupidentify` sets account traits (`LASTSEEN_POSTHOG_ACCOUNT_GROUP`).
   * @default `DEFAULTS.posthogAccountGroup`
   */
  posthogAccountGroup: string
}

/**
 * When the scheduled digest goes out: daily at a UTC minute of the day, or every `everyMs`
 * counted from the Unix epoch (`hourly` is every hour, on the hour).
 */
export type DigestAt = { dailyAtMinute: number } | { everyMs: number }

/** `hourly`, `HH:MM` or a duration (already checked) as a {@link DigestAt}. */
export function parseDigestAt(text: string): DigestAt {
  if (text === 'hourly') return { everyMs: 3_600_000 }
  if (!text.includes(':')) return { everyMs: parseDuration(text) }
  const [h, m] = text.split(':').map(Number)
  return { dailyAtMinute: (h ?? 0) * 60 + (m ?? 0) }
}

/** A configuration the service cannot start with; the message names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

/** Parse `30s`, `15m`, `2h`, `14d` (or `250ms`) into milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text)
  if (!match) throw new ConfigError(`not a duration: ${text}`)
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS }[match[2] as 'ms']
  return Number(match[1]) * unit
}

/** `1209600000` → `14d`: the largest whole unit of `parseDuration`, seconds at the least. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', DAY_MS],
    ['h', 3_600_000],
    ['m', 60_000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`
  }
  return `${Math.round(ms / 1000)}s`
}

/**
 * Read the configuration from `env`, with `flags` over it, or throw a `ConfigError` naming each
 * bad variable (or flag) in one line.
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env, flags: ConfigFlags = {}): Config {
  const input: Record<string, string | undefined> = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== ''),
  )
  const names = new Map<string, string>()
  for (const [flag, [variable, name]] of Object.entries(FLAG_VARIABLES)) {
    const value = flags[flag as keyof ConfigFlags]
    if (value === undefined) continue
    input[variable] = value
    names.set(variable, name)
  }
  const parsed = schema.safeParse(input)
  if (!parsed.success) {
    const problems = describeIssues(parsed.error).map((line) => {
      const variable = line.slice(0, line.indexOf(':'))
      const flag = names.get(variable)
      return flag ? `${flag}${line.slice(variable.length)}` : line
    })
    throw new ConfigError(
      `invalid configuration: ${problems.join('; ')}; fix the value or unset it`,
    )
  }
  const e = parsed.data
  if (flags.dataDir !== undefined && e.CLICKHOUSE_URL) {
    throw new ConfigError(
      'invalid configuration: --data-dir is for the embedded store, but CLICKHOUSE_URL is set; drop one of them',
    )
  }
  if (Boolean(e.LASTSEEN_SMTP_URL) !== Boolean(e.LASTSEEN_NOTIFY_EMAIL)) {
    throw new ConfigError(
      'invalid configuration: email notifications need both LASTSEEN_SMTP_URL (the SMTP server) and LASTSEEN_NOTIFY_EMAIL (the recipients); set both or neither',
    )
  }
  if (e.CLICKHOUSE_CLUSTER && !e.CLICKHOUSE_URL) {
    throw new ConfigError(
      'invalid configuration: CLICKHOUSE_CLUSTER needs CLICKHOUSE_URL (a cluster is a remote ClickHouse); set both or unset CLICKHOUSE_CLUSTER',
    )
  }
  return {
    port: e.PORT,
    host: e.HOST,
    clickhouse: e.CLICKHOUSE_URL
      ? {
          kind: 'remote',
          url: e.CLICKHOUSE_URL,
          database: e.CLICKHOUSE_DATABASE,
          ...(e.CLICKHOUSE_USER ? { username: e.CLICKHOUSE_USER } : {}),
          ...(e.CLICKHOUSE_PASSWORD ? { password: e.CLICKHOUSE_PASSWORD } : {}),
          ...(e.CLICKHOUSE_CLUSTER ? { cluster: e.CLICKHOUSE_CLUSTER } : {}),
          timeoutMs: e.LASTSEEN_STORAGE_TIMEOUT,
        }
      : {
          kind: 'embedded',
          dataDir: resolve(e.LASTSEEN_DATA_DIR),
          database: e.CLICKHOUSE_DATABASE,
          timeoutMs: e.LASTSEEN_STORAGE_TIMEOUT,
        },
    ...(e.LASTSEEN_WRITE_KEY ? { writeKey: e.LASTSEEN_WRITE_KEY } : {}),
    ...(e.LASTSEEN_READ_KEY ? { readKey: e.LASTSEEN_READ_KEY } : {}),
    ...(e.LASTSEEN_WEBHOOK_URL
      ? {
          webhook: {
            url: e.LASTSEEN_WEBHOOK_URL,
            ...(e.LASTSEEN_WEBHOOK_SECRET ? { secret: e.LASTSEEN_WEBHOOK_SECRET } : {}),
            intervalMs: e.LASTSEEN_WEBHOOK_INTERVAL,
            format: e.LASTSEEN_WEBHOOK_FORMAT,
          },
        }
      : {}),
    notify: {
      intervalMs: e.LASTSEEN_WEBHOOK_INTERVAL,
      mode: e.LASTSEEN_NOTIFY,
      max: e.LASTSEEN_NOTIFY_MAX,
      digestAt: parseDigestAt(e.LASTSEEN_DIGEST_AT),
      ...(e.LASTSEEN_SMTP_URL && e.LASTSEEN_NOTIFY_EMAIL
        ? {
            email: {
              smtpUrl: e.LASTSEEN_SMTP_URL,
              to: e.LASTSEEN_NOTIFY_EMAIL,
              from: e.LASTSEEN_NOTIFY_FROM,
            },
          }
        : {}),
      ...(e.LASTSEEN_PUBLIC_URL ? { publicUrl: e.LASTSEEN_PUBLIC_URL.replace(/\/+$/, '') } : {}),
    },
    inactiveAfterMs: e.LASTSEEN_INACTIVE_AFTER,
    maxEventAgeMs: e.LASTSEEN_MAX_EVENT_AGE,
    ...(e.LASTSEEN_EVENTS_TTL ? { eventsTtlMs: e.LASTSEEN_EVENTS_TTL } : {}),
    fsync: e.LASTSEEN_FSYNC === 'on',
    writer: { minIntervalMs: e.LASTSEEN_INSERT_INTERVAL, maxQueuedEvents: e.LASTSEEN_MAX_QUEUE },
    rateLimit: e.LASTSEEN_RATE_LIMIT,
    http: {
      requestTimeoutMs: e.LASTSEEN_REQUEST_TIMEOUT,
      maxConnections: e.LASTSEEN_MAX_CONNECTIONS ?? defaultMaxConnections(),
    },
    ...(e.LASTSEEN_METRICS_TOKEN ? { metricsToken: e.LASTSEEN_METRICS_TOKEN } : {}),
    posthogAccountGroup: e.LASTSEEN_POSTHOG_ACCOUNT_GROUP,
  }
}

/** Whether debug output is on (`LASTSEEN_DEBUG=1`): what an operator wants only while chasing a problem. */
export const debugEnabled = (env: NodeJS.ProcessEnv = process.env): boolean =>
  env.LASTSEEN_DEBUG === '1'

/**
 * Half of the soft open-file limit (from `/proc/self/limits`; 1024 where it cannot be read),
 * from 64 to 20,000: every connection holds a descriptor, and the store needs its own for
 * parts, merges and logs. Raise the limit (`ulimit -n`) to take more connections.
 */
function defaultMaxConnections(): number {
  let limit = 1024
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'))
    const soft = Number(line?.split(/\s{2,}/)[1])
    if (Number.isFinite(soft) && soft > 0) limit = soft
  } catch {
    // Not Linux: keep the common default.
  }
  return Math.min(20_000, Math.max(64, Math.floor(limit / 2)))
}
