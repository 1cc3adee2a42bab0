/**
 * @module
 * The help of the service's commands (`keys` has its own, next to its code).
 */
import { DEFAULTS, formatDuration } from '../config.js'

/** Where the full guide is, for readers of the installed package (which holds no docs). */
export const GUIDE = 'https://github.com/lastseen/lastseen/blob/main/docs/self-hosting.md'

const CONFIG_FLAGS = `  --data-dir <dir>   the embedded store's directory (LASTSEEN_DATA_DIR, ${DEFAULTS.dataDir})`

export const HELP = `lastseen-ingest — the lastseen ingestion service

Usage:
  lastseen-ingest start       start the service (applies migrations first); SIGTERM or
                              SIGINT stop it gracefully
  lastseen-ingest migrate     apply schema migrations and exit
  lastseen-ingest keys …      list, create and revoke API keys
  lastseen-ingest users …     delete or export a user's data
  lastseen-ingest import <file.ndjson> [--project <id>]
                              backfill users, accounts, traits and first/last seen from
                              NDJSON; running it again stores nothing twice
  lastseen-ingest --version   print the version
  lastseen-ingest <command> --help   help of one command

Configuration comes from the environment, and a flag wins over it: PORT or --port
(${DEFAULTS.port}), HOST or --host (${DEFAULTS.host}: every interface), LASTSEEN_DATA_DIR or
--data-dir (${DEFAULTS.dataDir}), CLICKHOUSE_URL (unset: embedded ClickHouse), CLICKHOUSE_DATABASE,
CLICKHOUSE_USER, CLICKHOUSE_PASSWORD, CLICKHOUSE_CLUSTER, LASTSEEN_WRITE_KEY, LASTSEEN_READ_KEY,
LASTSEEN_METRICS_TOKEN, and more: ${GUIDE}

Inactivity webhooks: LASTSEEN_WEBHOOK_URL, LASTSEEN_WEBHOOK_SECRET, LASTSEEN_INACTIVE_AFTER
(${formatDuration(DEFAULTS.inactiveAfterMs)}), LASTSEEN_WEBHOOK_INTERVAL (${formatDuration(DEFAULTS.webhookIntervalMs)}), LASTSEEN_WEBHOOK_FORMAT (lastseen or slack).
Notifications: LASTSEEN_NOTIFY (instant or digest), LASTSEEN_NOTIFY_MAX (${DEFAULTS.notifyMax}), LASTSEEN_DIGEST_AT
(${DEFAULTS.digestAt} UTC), LASTSEEN_SMTP_URL, LASTSEEN_NOTIFY_EMAIL, LASTSEEN_NOTIFY_FROM, LASTSEEN_PUBLIC_URL.
The dashboard is at / (sign in with the read key).

A mistake (a port in use, a data directory it cannot write, ClickHouse unreachable or refusing
the user, a bad value) is said in one line and exits 1; LASTSEEN_DEBUG=1 adds the details.`

export const START_HELP = `lastseen-ingest start — run the service

Usage:
  lastseen-ingest start [--port <n>] [--host <address>] [--data-dir <dir>]

Applies migrations, then serves HTTP. On the first start without LASTSEEN_WRITE_KEY and
LASTSEEN_READ_KEY it creates the default project's keys and prints them once, first of all.
SIGTERM or SIGINT stop it gracefully: requests in flight are stored and answered.

  --port <n>         port to listen on (PORT, ${DEFAULTS.port}; 0: any free port)
  --host <address>   address to listen on (HOST, ${DEFAULTS.host}: every interface; 127.0.0.1:
                     this machine only)
${CONFIG_FLAGS}

Every other setting is an environment variable: lastseen-ingest --help, and ${GUIDE}`

export const MIGRATE_HELP = `lastseen-ingest migrate — apply schema migrations and exit

Usage:
  lastseen-ingest migrate [--data-dir <dir>]

Applies the migrations not yet recorded, in order; running it twice does nothing the second
time. "start" migrates too. On the embedded store, stop the service first.

${CONFIG_FLAGS}`
