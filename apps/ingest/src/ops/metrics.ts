/**
 * @module
 * Prometheus metrics in the text exposition format, written by hand (no client library):
 * counters, gauges read when scraped, and histograms with fixed buckets.
 */

type Labels = Record<string, string>

const labelText = (labels: Labels): string => {
  const parts = Object.entries(labels).map(
    ([k, v]) =>
      `${k}="${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`,
  )
  return parts.length ? `{${parts.join(',')}}` : ''
}

/** A monotonically increasing count, per label set. */
export class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>()
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels)
    const entry = this.values.get(key)
    if (entry) entry.value += by
    else this.values.set(key, { labels, value: by })
  }

  /** The current value for `labels` (0 when never incremented). */
  get(labels: Labels = {}): number {
    return this.values.get(labelText(labels))?.value ?? 0
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`]
    for (const [key, { value }] of this.values) lines.push(`${this.name}${key} ${value}`)
    return lines.join('\n')
  }
}

/** A value read at scrape time. */
export class Gauge {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => number,
  ) {}

  render(): string {
    return [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} gauge`,
      `${this.name} ${this.read()}`,
    ].join('\n')
  }
}

/** A distribution over fixed upper bounds. */
export class Histogram {
  private readonly counts: number[]
  private sum = 0
  private total = 0
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
  ) {
    this.counts = bounds.map(() => 0)
  }

  observe(value: number): void {
    this.sum += value
    this.total++
    for (let i = 0; i < this.bounds.length; i++) {
      if (value <= (this.bounds[i] as number)) this.counts[i] = (this.counts[i] as number) + 1
    }
  }

  /** Observations so far. */
  get count(): number {
    return this.total
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`]
    this.bounds.forEach((bound, i) => {
      lines.push(`${this.name}_bucket{le="${bound}"} ${this.counts[i]}`)
    })
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.total}`)
    lines.push(`${this.name}_sum ${this.sum}`)
    lines.push(`${this.name}_count ${this.total}`)
    return lines.join('\n')
  }
}

/** Something that renders itself as exposition text. */
interface Metric {
  render(): string
}

/** The service's metrics. */
export class IngestMetrics {
  readonly requests = new Counter(
    'lastseen_http_requests_total',
    'HTTP requests answered, by route and status code.',
  )
  readonly events = new Counter(
    'lastseen_events_total',
    'Events received, by outcome: accepted (stored now), duplicate (stored before), rejected.',
  )
  readonly requestEvents = new Histogram(
    'lastseen_request_events',
    'Events per write request.',
    [1, 10, 50, 100, 250, 500, 1000],
  )
  readonly clientDropped = new Counter(
    'lastseen_client_dropped_events_total',
    'Events clients reported dropping on their side before sending (the batch field `dropped`).',
  )
  readonly insertSeconds = new Histogram(
    'lastseen_insert_duration_seconds',
    'Time to store one group of events (duplicate lookup and inserts).',
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  )
  readonly insertRows = new Histogram(
    'lastseen_insert_rows',
    'Events per group insert (group commit batch size).',
    [1, 10, 100, 500, 1000, 2500, 5000, 10000, 25000, 50000],
  )
  readonly storageErrors = new Counter(
    'lastseen_storage_errors_total',
    'Group inserts that failed; their requests were answered 503.',
  )
  readonly overloaded = new Counter(
    'lastseen_overloaded_total',
    'Write requests answered 503 without being queued, by reason (queue_full, storage_down, closing).',
  )
  readonly droppedConnections = new Counter(
    'lastseen_dropped_connections_total',
    'Connections closed on arrival because LASTSEEN_MAX_CONNECTIONS were open.',
  )
  private readonly gauges: Gauge[] = []

  /** Add a gauge read at scrape time, such as the queue depth. */
  gauge(name: string, help: string, read: () => number): void {
    this.gauges.push(new Gauge(name, help, read))
  }

  /** The exposition text for `GET /metrics`. */
  render(): string {
    const all: Metric[] = [
      this.requests,
      this.events,
      this.requestEvents,
      this.clientDropped,
      this.insertSeconds,
      this.insertRows,
      this.storageErrors,
      this.overloaded,
      this.droppedConnections,
      ...this.gauges,
    ]
    return `${all.map((m) => m.render()).join('\n')}\n`
  }
}
