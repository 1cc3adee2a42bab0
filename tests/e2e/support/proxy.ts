/**
 * @module
 * A recording pass-through in front of the ingestion service, on its own origin (so the page
 * talks to it cross-origin, as a web app talks to its ingest host; CORS comes from the service).
 * It records what each request carried and what the service answered, and can simulate an
 * outage (503) — the only thing it makes up.
 */
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'
import type { BatchRequest, BatchResponse } from '@lastseen/sdk/wire'

export interface Exchange {
  contentType: string | undefined
  encoding: string | undefined
  body: BatchRequest
  status: number
  answer: Partial<BatchResponse>
}

export interface Proxy {
  url: string
  exchanges: Exchange[]
  /** Answer 503 instead of forwarding. */
  failing: boolean
  /**
   * Exchanges carrying `userId`'s events. Tests count per user: a page of an earlier test may
   * still deliver (a beacon, a keepalive request) while the next test runs.
   */
  of(userId: string): Exchange[]
  accepted(userId: string): number
  duplicates(userId: string): number
  close(): Promise<void>
}

export async function startProxy(target: string): Promise<Proxy> {
  const exchanges: Exchange[] = []
  const state = { failing: false }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks)
      const isBatch = req.method === 'POST' && req.url === '/v1/batch'
      const record = (status: number, answer: string) => {
        if (!isBatch) return
        const text = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw
        let parsed: Partial<BatchResponse> = {}
        try {
          parsed = JSON.parse(answer) as BatchResponse
        } catch {}
        exchanges.push({
          contentType: req.headers['content-type'],
          encoding: req.headers['content-encoding'],
          body: JSON.parse(text.toString('utf8')) as BatchRequest,
          status,
          answer: parsed,
        })
      }
      if (isBatch && state.failing) {
        record(503, '')
        res
          .writeHead(503, {
            'access-control-allow-origin': req.headers.origin ?? '*',
            'retry-after': '1',
            'content-type': 'application/json',
          })
          .end('{"error":{"code":"unavailable","message":"simulated outage"}}')
        return
      }
      const upstream = new URL(req.url ?? '/', target)
      const forward = request(
        upstream,
        { method: req.method, headers: { ...req.headers, host: upstream.host } },
        (answer) => {
          const parts: Buffer[] = []
          answer.on('data', (c: Buffer) => parts.push(c))
          answer.on('end', () => {
            const body = Buffer.concat(parts)
            record(answer.statusCode ?? 0, body.toString('utf8'))
            res.writeHead(answer.statusCode ?? 502, answer.headers).end(body)
          })
        },
      )
      forward.on('error', () => res.writeHead(502).end())
      forward.end(raw)
    })
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const of = (userId: string) =>
    exchanges.filter((e) => e.body.batch.some((event) => event.userId === userId))
  const sum = (userId: string, key: 'accepted' | 'duplicates') =>
    of(userId).reduce((n, e) => n + (e.status === 200 ? (e.answer[key] ?? 0) : 0), 0)
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exchanges,
    get failing() {
      return state.failing
    },
    set failing(value: boolean) {
      state.failing = value
    },
    of,
    accepted: (userId) => sum(userId, 'accepted'),
    duplicates: (userId) => sum(userId, 'duplicates'),
    close: () =>
      new Promise((done) => {
        server.closeAllConnections()
        server.close(() => done())
      }),
  }
}
