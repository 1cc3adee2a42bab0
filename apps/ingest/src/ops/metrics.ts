/**
 * @module
 * The service's Prometheus metrics (prom-client), and the only place their names, labels and
 * buckets are written: components report what happened through the methods here, and the
 * group-commit writer's queue is read when scraped. The process's own metrics (CPU, memory, GC,
 * event-loop lag) come with prom-client's defaults.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { WriterReport, WriterState } from '../ingest/group-commit/writer.js'

/** What a write request came to, for the event counters. */
export interface WriteOutcome {
  /** Events in the request. */
  events: number
  accepted: number
  duplicates: number
  rejected: number
}

/**
 * What became of a message sent in another tool's wire format: stored now, stored before, refused,
 * not stored because it names no user yet (`anonymous`), or recorded but not applied (`alias`).
 */
export type WireOutcome = 'accepted' | 'duplicate' | 'rejected' | 'anonymous' | 'alias' | 'ignored'

/** The service's metrics, in a registry of their own (several services may share a process). */
export class IngestMetrics {
  private readonly registry = new Registry()
  private readonly requests = new Counter({
    name: 'lastseen_http_requests_total',
    help: 'HTTP requests answered, by route and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  })
  private readonly events = new Counter({
    name: 'lastseen_events_total',
    help: 'Events received, by outcome: accepted (stored now), duplicate (stored before), rejected.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  })
  private readonly requestEvents = new Histogram({
    name: 'lastseen_request_events',
    help: 'Events per write request.',
    buckets: [1, 10, 50, 100, 250, 500, 1000],
    registers: [this.registry],
  })
  private readonly clientDropped = new Counter({
    name: 'lastseen_client_dropped_events_total',
    help: 'Events clients reported dropping on their side before sending (the batch field `dropped`).',
    registers: [this.registry],
  })
  private readonly insertSeconds = new Histogram({
    name: 'lastseen_insert_duration_seconds',
    help: 'Time to store one group of events (duplicate lookup and inserts).',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  })
  private readonly insertRows = new Histogram({
    name: 'lastseen_insert_rows',
    help: 'Events per group insert (group commit batch size).',
    buckets: [1, 10, 100, 500, 1000, 2500, 5000, 10000, 25000, 50000],
    registers: [this.registry],
  })
  private readonly storageErrors = new Counter({
    name: 'lastseen_storage_errors_total',
    help: 'Group inserts that failed; their requests were answered 503.',
    registers: [this.registry],
  })
  private readonly overloaded = new Counter({
    name: 'lastseen_overloaded_total',
    help: 'Write requests answered 503 without being queued, by reason (queue_full, storage_down, closing).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  })
  private readonly wireMessages = new Counter({
    name: 'lastseen_wire_messages_total',
    help: "Messages received in another tool's wire format, by wire (segment, posthog) and outcome: accepted, duplicate, rejected (with the reason at debug level), anonymous (no user yet: not stored), alias (recorded, not merged), ignored (PostHog events that are not activity).",
    labelNames: ['wire', 'outcome'] as const,
    registers: [this.registry],
  })
  private readonly droppedConnections = new Counter({
    name: 'lastseen_dropped_connections_total',
    help: 'Connections closed on arrival because LASTSEEN_MAX_CONNECTIONS were open.',
    registers: [this.registry],
  })

  /** What the group-commit writer reports as it works. */
  readonly writerReport: WriterReport = {
    refused: (reason) => this.overloaded.inc({ reason }),
    stored: (seconds, events) => {
      this.insertSeconds.observe(seconds)
      this.insertRows.observe(events)
    },
    failed: () => this.storageErrors.inc(),
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry })
  }

  /** The writer whose queue the gauges show, read at each scrape. */
  watchWriter(writer: { readonly state: WriterState }): void {
    const gauge = (name: string, help: string, read: (state: WriterState) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(read(writer.state))
        },
      })
    gauge(
      'lastseen_queue_events',
      'Events waiting for or in a group insert.',
      (s) => s.queuedEvents + s.inFlightEvents,
    )
    gauge(
      'lastseen_queue_requests',
      'Write requests waiting for a group insert.',
      (s) => s.queuedRequests,
    )
    gauge(
      'lastseen_storage_available',
      '1 when inserts are being tried, 0 while waiting after a failed insert.',
      (s) => (s.available ? 1 : 0),
    )
  }

  /** An answered request; `route` is the route pattern, never the raw path. */
  requestAnswered(method: string, route: string, status: number): void {
    this.requests.inc({ method, route, status: String(status) })
  }

  /** A write request was answered 200 with these counts. */
  writeAnswered(outcome: WriteOutcome): void {
    this.requestEvents.observe(outcome.events)
    this.events.inc({ outcome: 'accepted' }, outcome.accepted)
    this.events.inc({ outcome: 'duplicate' }, outcome.duplicates)
    this.events.inc({ outcome: 'rejected' }, outcome.rejected)
  }

  /** What the messages of one request on another wire (`segment`, `posthog`) came to. */
  wireMessagesAnswered(wire: string, outcomes: Partial<Record<WireOutcome, number>>): void {
    for (const [outcome, messages] of Object.entries(outcomes)) {
      if (messages) this.wireMessages.inc({ wire, outcome }, messages)
    }
  }

  /** Events a client says it dropped before sending (a batch's `dropped`). */
  clientDroppedEvents(events: number): void {
    this.clientDropped.inc(events)
  }

  /** A connection closed on arrival, past the connection cap. */
  connectionDropped(): void {
    this.droppedConnections.inc()
  }

  /** The `Content-Type` of {@link render}. */
  get contentType(): string {
    return this.registry.contentType
  }

  /** The exposition text for `GET /metrics`. */
  render(): Promise<string> {
    return this.registry.metrics()
  }
}
