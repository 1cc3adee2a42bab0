/**
 * @module
 * The local sink every SDK sends to: a `node:http` server on 127.0.0.1 that reads each batch
 * (gzip or not), counts its events, and answers 200 at once. It accepts any path, so PostHog's
 * `/batch/`, Segment's `/v1/batch` and lastseen's `/v1/batch` all land here.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'

/** A running sink. */
export interface Sink {
  url: string
  /** Events received since the last `reset()`, and in how many requests. */
  received(): { events: number; requests: number; bytes: number }
  reset(): void
  close(): Promise<void>
}

/** An answer every SDK reads as success (lastseen's BatchResponse; PostHog's `status`). */
const OK = (n: number) => JSON.stringify({ accepted: n, duplicates: 0, rejected: [], status: 1 })

export async function startSink(): Promise<Sink> {
  let events = 0
  let requests = 0
  let bytes = 0
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      let n = 0
      try {
        let body = Buffer.concat(chunks)
        bytes += body.length
        if (req.headers['content-encoding'] === 'gzip' || (body[0] === 0x1f && body[1] === 0x8b)) {
          body = gunzipSync(body)
        }
        const parsed = JSON.parse(body.toString('utf8')) as { batch?: unknown[] }
        n = Array.isArray(parsed.batch) ? parsed.batch.length : 1
      } catch {
        n = 0
      }
      events += n
      requests += 1
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(OK(n))
    })
  })
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => ({ events, requests, bytes }),
    reset() {
      events = 0
      requests = 0
      bytes = 0
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
