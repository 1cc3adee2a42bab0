/**
 * @module
 * Raw HTTP for the hostile cases, where `fetch` would hide what matters: a body streamed from
 * one reused buffer (so the test process does not hold it), sent with or without
 * `Content-Length`, from a chosen loopback address; and the server's peak memory meanwhile.
 */
import { request } from 'node:http'

export interface RawAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  /** Milliseconds from the first byte sent to the answer's headers. */
  ms: number
  /** Body bytes written before the answer came. */
  sent: number
}

export interface RawRequest {
  method?: string
  path: string
  headers?: Record<string, string>
  /** A body of this many bytes (`x`), streamed in 64 KB chunks. */
  bodyBytes?: number
  /** A small body, sent as it is. */
  body?: string
  /** Declare the length (`Content-Length`) instead of sending it chunked. @default true */
  contentLength?: boolean
  /** Local address to connect from, e.g. `127.0.0.2` (any of 127.0.0.0/8 reaches the server). */
  from?: string
}

const CHUNK = Buffer.alloc(64 * 1024, 'x')

/** Send one request; stops sending the body as soon as an answer arrives. */
export function raw(url: string, req: RawRequest): Promise<RawAnswer> {
  const target = new URL(req.path, url)
  const total = req.body !== undefined ? Buffer.byteLength(req.body) : (req.bodyBytes ?? 0)
  const headers: Record<string, string> = { ...req.headers }
  if (req.contentLength !== false) headers['content-length'] = String(total)
  return new Promise((resolve, reject) => {
    const started = performance.now()
    let sent = 0
    let answered = false
    const r = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: req.method ?? 'POST',
        headers,
        ...(req.from ? { localAddress: req.from } : {}),
        agent: false,
      },
      (res) => {
        answered = true
        const ms = performance.now() - started
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (d) => {
          body += d
        })
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms, sent })
          r.destroy()
        })
        res.on('error', reject)
      },
    )
    // The server may close the connection while the rest of the body is still on its way.
    r.on('error', (err) => {
      if (!answered) reject(err)
    })
    if (req.body !== undefined) {
      r.end(req.body)
      return
    }
    const pump = () => {
      while (!answered && sent < total) {
        const chunk = total - sent >= CHUNK.length ? CHUNK : CHUNK.subarray(0, total - sent)
        sent += chunk.length
        if (!r.write(chunk)) {
          r.once('drain', pump)
          return
        }
      }
      if (!answered) r.end()
    }
    pump()
  })
}

/** Run `work` while sampling this process's RSS; returns its result and the peak growth in bytes. */
export async function peakRssGrowth<T>(
  work: () => Promise<T>,
): Promise<{ result: T; growth: number }> {
  const before = process.memoryUsage().rss
  let peak = before
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 5)
  try {
    const result = await work()
    peak = Math.max(peak, process.memoryUsage().rss)
    return { result, growth: peak - before }
  } finally {
    clearInterval(timer)
  }
}

/** The `name=value` of each `Set-Cookie` of an answer. */
export function setCookies(answer: { headers: Record<string, string | string[] | undefined> }) {
  const value = answer.headers['set-cookie']
  return (Array.isArray(value) ? value : value ? [value] : []).map((c) => c.split(';')[0] ?? '')
}
