/**
 * @module
 * A stand-in for the ingestion service on a real socket (127.0.0.1): it records every request,
 * dedupes by event id like the real service, and can be told to fail, hang or refuse — the
 * "failing network" the SDK must survive. It allows cross-origin requests (CORS), so a page in
 * a browser can send to it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'
import type { BatchRequest, BatchResponse, WireEvent } from '../../src/wire.js'

export interface Received {
  at: number
  headers: IncomingMessage['headers']
  body: BatchRequest
}

/** Decide the answer to one request; return `undefined` to answer like the service. */
export type Responder = (
  body: BatchRequest,
  attempt: number,
  res: ServerResponse,
) => 'handled' | 'hang' | undefined

export interface Sink {
  url: string
  requests: Received[]
  /** Every event received, in order, duplicates included. */
  events(): WireEvent[]
  /** Ids stored (each once). */
  stored: Set<string>
  respond(fn: Responder | undefined): void
  close(): Promise<void>
}

export async function startSink(): Promise<Sink> {
  const requests: Received[] = []
  const stored = new Set<string>()
  let responder: Responder | undefined
  const hanging = new Set<ServerResponse>()

  const server = createServer((req, res) => {
    // Pages of another origin may send to it, as to the service (browser tests).
    res.setHeader('access-control-allow-origin', req.headers.origin ?? '*')
    if (req.method === 'OPTIONS') {
      res
        .writeHead(204, {
          'access-control-allow-methods': 'POST',
          'access-control-allow-headers': 'authorization, content-type, content-encoding',
        })
        .end()
      return
    }
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      let raw = Buffer.concat(chunks)
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw)
      const body = JSON.parse(raw.toString('utf8')) as BatchRequest
      requests.push({ at: Date.now(), headers: req.headers, body })
      const verdict = responder?.(body, requests.length, res)
      if (verdict === 'handled') return
      if (verdict === 'hang') {
        hanging.add(res)
        return
      }
      let accepted = 0
      let duplicates = 0
      for (const event of body.batch) {
        if (stored.has(event.id)) duplicates++
        else {
          stored.add(event.id)
          accepted++
        }
      }
      const answer: BatchResponse = { accepted, duplicates, rejected: [] }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stored,
    events: () => requests.flatMap((r) => r.body.batch),
    respond(fn) {
      responder = fn
    },
    close: () =>
      new Promise((resolve) => {
        for (const res of hanging) res.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Answer with an error status, the service's error shape, and optional headers. */
export function answer(
  res: ServerResponse,
  status: number,
  headers: Record<string, string> = {},
): 'handled' {
  res
    .writeHead(status, { 'content-type': 'application/json', ...headers })
    .end(JSON.stringify({ error: { code: 'test', message: `status ${status}` } }))
  return 'handled'
}
