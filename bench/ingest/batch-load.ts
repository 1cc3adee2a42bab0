/**
 * @module
 * The load every ingest benchmark drives: `POST /v1/batch` with batches of new events over
 * `connections` connections (autocannon), counting the events the service acknowledged.
 */
import autocannon, { type Result } from 'autocannon'
import { WRITE_KEY } from '../lib/keys.js'
import { batchBodySource } from './rows.js'

export interface BatchLoad {
  url: string
  connections: number
  seconds: number
  /** Events per request. */
  batch: number
  /** Requests per second over all connections; none: as fast as answers come. */
  rate?: number | undefined
  /** Seconds before a request counts as timed out; autocannon's default when omitted. */
  timeout?: number
  /** Called with the `accepted` of every `200`. */
  onAccepted: (events: number) => void
}

/** Drive the load; autocannon's result. */
export function postBatches(load: BatchLoad): Promise<Result> {
  const body = batchBodySource(load.batch)
  return autocannon({
    url: load.url,
    connections: load.connections,
    duration: load.seconds,
    ...(load.timeout ? { timeout: load.timeout } : {}),
    ...(load.rate ? { overallRate: load.rate } : {}),
    requests: [
      {
        method: 'POST',
        path: '/v1/batch',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${WRITE_KEY}` },
        setupRequest: (req) => ({ ...req, body: body() }),
        onResponse: (status, text) => {
          const m = status === 200 ? /"accepted":(\d+)/.exec(text) : null
          if (m) load.onAccepted(Number(m[1]))
        },
      },
    ],
  })
}
