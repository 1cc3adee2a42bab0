/**
 * Hostile connections: thousands of slow bodies, uploads cut off halfway, and a keep-alive
 * client holding the service open at shutdown. Each has a bounded cost and the service keeps
 * answering (or, at shutdown, stops within a few seconds).
 */
import { readdirSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { RunningServer } from '../../src/server.js'
import {
  count,
  READ_KEY,
  startCliServer,
  startTestServer,
  tempDataDir,
  WRITE_KEY,
} from '../helpers.js'
import { batchBody, trackEvent } from '../support/events.js'
import { expectAlive } from './support.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const openFds = () => readdirSync('/proc/self/fd').length

const batchJson = (userId: string, n = 1) =>
  JSON.stringify(batchBody(Array.from({ length: n }, () => trackEvent(userId))))

/**
 * A raw connection that sends the headers of a `POST /v1/batch` and `sent` bytes of its body;
 * `closed` settles when the connection is gone.
 */
function partialUpload(
  url: string,
  declared: number,
  sent: number,
): Promise<{ socket: Socket; closed: Promise<void> }> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname)
    const closed = new Promise<void>((r) => socket.once('close', () => r()))
    socket.once('connect', () => {
      socket.write(
        `POST /v1/batch HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${WRITE_KEY}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n${'{'.repeat(sent)}`,
      )
      resolve({ socket, closed })
    })
    socket.on('error', () => {})
    // Read what the service answers (a 408), so its closing the connection is seen.
    socket.resume()
  })
}

describe('slow bodies and connection count', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startTestServer({
      LASTSEEN_REQUEST_TIMEOUT: '2s',
      LASTSEEN_MAX_CONNECTIONS: '100',
    })
  })
  afterAll(async () => {
    await server.close()
  })

  it('holds at most LASTSEEN_MAX_CONNECTIONS sockets and cuts slow bodies after the timeout', async () => {
    const before = openFds()
    const uploads = await Promise.all(
      Array.from({ length: 400 }, () => partialUpload(server.url, 10_000, 10)),
    )
    await sleep(300)
    // Each accepted connection costs the server one descriptor and the test's client one more.
    const held = openFds() - before - uploads.filter((u) => !u.socket.destroyed).length
    expect(held).toBeLessThanOrEqual(100 + 10)
    const closed = Promise.all(uploads.map((u) => u.closed))
    // The request timeout (2 s) plus the check interval (1 s), with room for a busy machine.
    await Promise.race([
      closed,
      sleep(8_000).then(() => {
        throw new Error('slow bodies were not cut')
      }),
    ])
    const res = await fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WRITE_KEY}`, 'content-type': 'application/json' },
      body: batchJson('after_slow'),
    })
    expect(res.status).toBe(200)
    await expectAlive(server.url)
  })

  it('counts an upload the client cut off apart from server errors, without logging it', async () => {
    const counted = async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text()
      const by = (status: string) =>
        Number(
          new RegExp(`lastseen_http_requests_total\\{[^}]*status="${status}"[^}]*\\} (\\d+)`).exec(
            text,
          )?.[1] ?? 0,
        )
      return { closed: by('499'), failed: by('500') }
    }
    const before = await counted()
    const errors = vi.spyOn(console, 'error')
    for (let i = 0; i < 5; i++) {
      const { socket } = await partialUpload(server.url, 100_000, 5_000)
      await sleep(50)
      socket.destroy()
    }
    // The service notices each cut-off upload when its socket closes: wait for all five.
    const deadline = Date.now() + 10_000
    while ((await counted()).closed < before.closed + 5 && Date.now() < deadline) await sleep(100)
    expect(await counted()).toEqual({ closed: before.closed + 5, failed: 0 })
    expect(errors).not.toHaveBeenCalled()
    errors.mockRestore()
    await expectAlive(server.url)
  })
})

describe('shutdown with keep-alive clients', () => {
  it('stops within a few seconds, answering in-flight requests and closing idle connections', async () => {
    const dataDir = tempDataDir()
    const child = await startCliServer({
      LASTSEEN_DATA_DIR: dataDir,
      LASTSEEN_WRITE_KEY: WRITE_KEY,
      LASTSEEN_READ_KEY: READ_KEY,
    })
    const agent = new Agent({ keepAlive: true, maxSockets: 4 })
    const post = (userId: string) =>
      new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
        const body = batchJson(userId)
        const req = request(
          `${child.url}/v1/batch`,
          {
            method: 'POST',
            agent,
            headers: {
              authorization: `Bearer ${WRITE_KEY}`,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (res) => {
            res.resume()
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }),
            )
          },
        )
        req.on('error', reject)
        req.end(body)
      })
    // Warm four keep-alive connections, then keep one client writing through them.
    await Promise.all([post('ka'), post('ka'), post('ka'), post('ka')])
    const answers: { status: number; connection: string | undefined }[] = []
    let writing = true
    const writer = (async () => {
      while (writing) {
        try {
          answers.push(await post('ka_busy'))
        } catch {
          // The service closed the connection: expected once it stops.
        }
        await sleep(20)
      }
    })()
    await sleep(300)
    const started = Date.now()
    const code = await child.stop()
    const took = Date.now() - started
    writing = false
    await writer
    agent.destroy()
    expect(code).toBe(0)
    expect(took).toBeLessThan(5_000)
    // Every answer given while draining closes its connection or is a 503.
    const afterStop = answers.filter((a) => a.status !== 200 || a.connection === 'close')
    for (const a of afterStop) {
      expect(a.status === 503 || a.connection === 'close').toBe(true)
    }
    // What was acknowledged is stored: reopen the store and count.
    const server = await startTestServer({ LASTSEEN_DATA_DIR: dataDir })
    const acknowledged = 4 + answers.filter((a) => a.status === 200).length
    expect(await count(server, 'SELECT count() AS n FROM {db}.events')).toBe(acknowledged)
    await expectAlive(server.url)
    await server.close()
  })
})
