/**
 * @module
 * A webhook receiver on 127.0.0.1 for tests: records every request, and can fail the next N
 * with a 500 to exercise retries.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Received {
  headers: Record<string, string | undefined>
  body: string
  status: number
}

export interface WebhookReceiver {
  url: string
  /** Every request, including failed ones, in arrival order. */
  requests: Received[]
  /** Requests answered 2xx, parsed. */
  // biome-ignore lint/suspicious/noExplicitAny: payloads are checked field by field
  delivered(): any[]
  /** Answer the next `n` requests with 500. */
  failNext(n: number): void
  /** Hold every answer this long (ms), to observe concurrent deliveries. */
  hold(ms: number): void
  /** Most requests open at the same time so far. */
  maxConcurrent(): number
  /** Resolve once `n` requests were answered 2xx (rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: Received[] = []
  let failures = 0
  let holdMs = 0
  let open = 0
  let most = 0
  const server = createServer((req, res) => {
    open++
    most = Math.max(most, open)
    let body = ''
    req.on('data', (d) => {
      body += d
    })
    req.on('end', () => {
      const status = failures > 0 ? 500 : 200
      if (failures > 0) failures--
      requests.push({
        headers: Object.fromEntries(
          Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]),
        ),
        body,
        status,
      })
      setTimeout(() => {
        open--
        res.writeHead(status).end()
      }, holdMs)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const ok = () => requests.filter((r) => r.status === 200)
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    delivered: () => ok().map((r) => JSON.parse(r.body)),
    failNext(n) {
      failures = n
    },
    hold(ms) {
      holdMs = ms
    },
    maxConcurrent: () => most,
    async waitFor(n, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs
      while (ok().length < n) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${n} deliveries, got ${ok().length} in ${timeoutMs} ms`)
        }
        await new Promise((r) => setTimeout(r, 50))
      }
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
