/**
 * @module
 * The part of autocannon's API the ingest benchmark uses (the package ships no types).
 */
declare module 'autocannon' {
  interface Histogram {
    average: number
    mean: number
    p50: number
    p90: number
    p97_5: number
    p99: number
    max: number
  }
  interface RequestSpec {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string
    setupRequest?: (request: RequestSpec, context: Record<string, unknown>) => RequestSpec
    onResponse?: (status: number, body: string, context: Record<string, unknown>) => void
  }
  interface Options {
    url: string
    connections?: number
    duration?: number
    pipelining?: number
    overallRate?: number
    timeout?: number
    requests?: RequestSpec[]
  }
  export interface Result {
    duration: number
    latency: Histogram
    requests: Histogram & { total: number }
    '2xx': number
    non2xx: number
    errors: number
    timeouts: number
    statusCodeStats?: Record<string, { count: number }>
  }
  function autocannon(options: Options): Promise<Result>
  export default autocannon
}
