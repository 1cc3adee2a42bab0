/**
 * The Hono, Express and Fastify middleware in real apps on real sockets: every request of a
 * signed-in user marks them seen, yet each user's heartbeat reaches the service once per hour.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { lastseen as expressLastseen } from '../src/middleware/express.js'
import { lastseen as fastifyLastseen } from '../src/middleware/fastify.js'
import { lastseen as honoLastseen } from '../src/middleware/hono.js'
import { createTracker } from '../src/node.js'
import type { Tracker } from '../src/tracker.js'
import { type Sink, startSink } from './support/sink.js'

type Events = { search: { query: string } }

let sink: Sink
let tracker: Tracker<Events>
let close: () => Promise<void>

beforeEach(async () => {
  sink = await startSink()
  tracker = createTracker<Events>({ endpoint: sink.url, writeKey: 'lsw_test_key' })
})
afterEach(async () => {
  await tracker.shutdown()
  await close()
  await sink.close()
})

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  close = () => new Promise((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Serve a fetch-style app (Hono) on a node:http socket. */
function serveFetch(fetch: (request: Request) => Response | Promise<Response>): Server {
  return createServer(async (req, res) => {
    const response = await fetch(
      new Request(`http://127.0.0.1${req.url}`, {
        method: req.method ?? 'GET',
        headers: req.headers as Record<string, string>,
      }),
    )
    res.writeHead(response.status, Object.fromEntries(response.headers))
    res.end(Buffer.from(await response.arrayBuffer()))
  })
}

/** Three requests by u1, one by u2 (with an account), one anonymous. */
async function traffic(base: string): Promise<string[]> {
  const calls: [string, Record<string, string>][] = [
    ['/a', { 'x-user': 'u1' }],
    ['/b', { 'x-user': 'u1' }],
    ['/a', { 'x-user': 'u2', 'x-account': 'acme' }],
    ['/a', {}],
    ['/c', { 'x-user': 'u1' }],
  ]
  const bodies: string[] = []
  for (const [path, headers] of calls)
    bodies.push(await (await fetch(base + path, { headers })).text())
  return bodies
}

async function expectSeenOnce(): Promise<void> {
  // Express and Fastify mark the user when the response has been sent; let those callbacks run.
  await new Promise((resolve) => setTimeout(resolve, 50))
  await tracker.flush()
  const seen = sink.events().filter((e) => e.type === 'seen')
  expect(seen.map((e) => [e.userId, e.accountId])).toEqual([
    ['u1', undefined],
    ['u2', 'acme'],
  ])
}

describe('middleware', () => {
  it('Hono: app.use(lastseen(...)) marks each user seen once', async () => {
    type AppEnv = { Variables: { user?: string } }
    const app = new Hono<AppEnv>()
    app.use(async (c, next) => {
      const user = c.req.header('x-user')
      if (user) c.set('user', user)
      await next()
    })
    app.use(
      honoLastseen<AppEnv>({
        tracker,
        userId: (c) => c.get('user'),
        accountId: (c) => c.req.header('x-account'),
      }),
    )
    app.get('*', (c) => c.text(`hello ${c.get('user') ?? 'anonymous'}`))
    const bodies = await traffic(await listen(serveFetch(app.fetch)))
    expect(bodies[0]).toBe('hello u1')
    await expectSeenOnce()
  })

  it('Express: app.use(lastseen(...)) marks each user seen once, after the response', async () => {
    const app = express()
    app.use((req, _res, next) => {
      ;(req as { user?: string | undefined }).user = req.header('x-user')
      next()
    })
    app.use(
      expressLastseen({
        tracker,
        userId: (req) => (req as { user?: string | undefined }).user,
        accountId: (req) => req.header('x-account'),
      }),
    )
    app.get('/{*path}', (req, res) => {
      res.send(`hello ${(req as { user?: string | undefined }).user ?? 'anonymous'}`)
    })
    const bodies = await traffic(await listen(createServer(app)))
    expect(bodies[3]).toBe('hello anonymous')
    await expectSeenOnce()
  })

  it('Fastify: addHook(onResponse, lastseen(...)) marks each user seen once', async () => {
    const app = Fastify()
    app.addHook(
      'onResponse',
      fastifyLastseen({
        tracker,
        userId: (request) => request.headers['x-user'] as string | undefined,
        accountId: (request) => request.headers['x-account'] as string | undefined,
      }),
    )
    app.get('/*', async (request) => `hello ${request.headers['x-user'] ?? 'anonymous'}`)
    await app.listen({ port: 0, host: '127.0.0.1' })
    close = () => app.close()
    const { port } = app.server.address() as AddressInfo
    const bodies = await traffic(`http://127.0.0.1:${port}`)
    expect(bodies[2]).toBe('hello u2')
    await expectSeenOnce()
  })

  it('never fails a request when the user lookup throws', async () => {
    const errors: unknown[] = []
    const app = new Hono()
    app.use(
      honoLastseen({
        tracker,
        userId: () => {
          throw new Error('session store down')
        },
        onError: (e) => errors.push(e),
      }),
    )
    app.get('/', (c) => c.text('ok'))
    const base = await listen(serveFetch(app.fetch))
    const response = await fetch(base)
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('ok')
    expect(errors).toHaveLength(1)
  })
})
