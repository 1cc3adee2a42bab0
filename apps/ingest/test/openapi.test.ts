/**
 * The OpenAPI document stays true: it is a valid OpenAPI 3.1 document, docs/openapi.json is
 * what the code generates, it lists exactly the routes the app serves, and the real answers of a
 * running service (real chDB, seeded history) match the schemas it documents.
 */
import { readFileSync } from 'node:fs'
import { Validator } from '@seriousme/openapi-schema-validator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DOCUMENT_FILE } from '../scripts/write-openapi.js'
import { createApp } from '../src/app.js'
import { errorResponseSchema } from '../src/http/errors.js'
import { createKeys } from '../src/keys/admin.js'
import { KeyRing } from '../src/keys/key-ring.js'
import { openApiDocument, openApiPath } from '../src/openapi/document.js'
import type { Operation } from '../src/openapi/operation.js'
import { operations } from '../src/openapi/operations.js'
import type { RunningServer } from '../src/server.js'
import { READ_KEY, startTestServer, WRITE_KEY } from './helpers.js'
import { groupEvent, identifyEvent, trackEvent } from './support/events.js'
import { daysAgo, knownHistory, sendBatch } from './support/insights-seed.js'

let server: RunningServer
let adminKey: string

/**
 * Besides the known history: traits of users and accounts (and of a user never active),
 * u_dec of initech active on 16 days then only today (declining under the defaults), and
 * u_gone, deleted by the `DELETE` call.
 */
const moreHistory = () => [
  identifyEvent('u_1', { email: 'ann@acme.io', name: 'Ann', seats: [1, { a: null }] }),
  groupEvent('acme', { name: 'Acme', mrr: 99 }, { userId: 'u_1' }),
  identifyEvent('u_2', { name: 'Bo' }),
  groupEvent('globex', { name: 'Globex', mrr: 7 }),
  identifyEvent('u_lead', { email: 'lead@example.com' }),
  identifyEvent('u_dec', { name: 'Dee Cline' }),
  groupEvent('initech', { name: 'Initech', mrr: 42 }),
  ...Array.from({ length: 16 }, (_, k) =>
    trackEvent('u_dec', { accountId: 'initech', timestamp: daysAgo(14 + k) }),
  ),
  trackEvent('u_dec', { accountId: 'initech', timestamp: daysAgo(0) }),
  trackEvent('u_gone', { timestamp: daysAgo(1) }),
]

beforeAll(async () => {
  server = await startTestServer()
  adminKey = (await createKeys(server.storage, 'default', ['admin'], 'test')).admin as string
  await server.reloadKeys()
  await sendBatch(server.url, WRITE_KEY, [...knownHistory(), ...moreHistory()])
})

afterAll(async () => {
  await server?.close()
})

const key = (method: string, path: string) => `${method.toUpperCase()} ${path}`

const uuid = () => crypto.randomUUID()
const sentAt = () => new Date().toISOString()

type Paths = Record<string, Record<string, { responses: Record<string, unknown> }>>

describe('the document', () => {
  it('is a valid OpenAPI 3.1 document whose references all resolve', async () => {
    const validator = new Validator()
    const result = await validator.validate(structuredClone(openApiDocument()))
    expect(result.errors).toBeUndefined()
    expect(result.valid).toBe(true)
    expect(validator.version).toBe('3.1')
  })

  it('declares every parameter of each path template', () => {
    const paths = openApiDocument().paths as Record<string, Record<string, { parameters?: [] }>>
    for (const [path, methods] of Object.entries(paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])
      for (const op of Object.values(methods)) {
        const declared = (op.parameters ?? [])
          .filter((p: { in: string }) => p.in === 'path')
          .map((p: { name: string }) => p.name)
        expect(declared, path).toEqual(names)
      }
    }
  })

  it('documents write bodies of every event type, identify and group included', () => {
    const events = [
      { id: uuid(), type: 'track', event: 'search', userId: 'u_9' },
      { id: uuid(), type: 'seen', userId: 'u_9' },
      { id: uuid(), type: 'identify', userId: 'u_9', traits: { plan: 'pro' } },
      { id: uuid(), type: 'group', accountId: 'acme', traits: { seats: 5 } },
    ]
    const bodyOf = (path: string) => operations.find((o) => o.path === path)?.body
    const batch = bodyOf('/v1/batch')?.safeParse({ sentAt: sentAt(), batch: events })
    expect(batch?.error?.issues).toBeUndefined()
    for (const event of events) {
      expect(bodyOf('/v1/track')?.safeParse(event).error?.issues, event.type).toBeUndefined()
    }
  })

  it('is kept in docs/openapi.json as the code generates it', () => {
    const kept = JSON.parse(readFileSync(DOCUMENT_FILE, 'utf8'))
    expect(
      kept,
      'docs/openapi.json is stale: run `pnpm --filter @lastseen/ingest openapi`',
    ).toEqual(openApiDocument())
  })

  it('is served at GET /openapi.json without a key', async () => {
    const res = await fetch(`${server.url}/openapi.json`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await res.json()).toEqual(openApiDocument())
  })

  it('lists every route the app serves, and no other', () => {
    const app = createApp({
      keys: new KeyRing(server.storage),
      writer: { write: async () => ({ accepted: 0, duplicates: 0 }), available: true },
      storage: server.storage,
    })
    // Middleware (`use`) is registered for every method; a route's handlers for its own.
    const served = new Set(
      app.routes.filter((r) => r.method !== 'ALL').map((r) => key(r.method, r.path)),
    )
    const documented = new Set(operations.map((op) => key(op.method, op.path)))
    expect([...documented].sort()).toEqual([...served].sort())
    const paths = openApiDocument().paths as Paths
    for (const op of operations) expect(paths[openApiPath(op.path)]?.[op.method]).toBeDefined()
  })
})

/** A request that gets a real `200` of an operation. */
interface Call {
  url: string
  body?: unknown
}

/**
 * Real requests for each operation answered with JSON; every such operation must have some, so
 * a new route cannot be documented without its answers being checked.
 */
const CALLS: Record<string, Call[]> = {
  'POST /v1/batch': [
    {
      url: '/v1/batch',
      body: {
        sentAt: sentAt(),
        batch: [
          { id: uuid(), type: 'track', event: 'search', userId: 'u_9', accountId: 'acme' },
          { id: uuid(), type: 'seen', userId: 'u_9' },
          { id: uuid(), type: 'identify', userId: 'u_9', traits: { plan: 'pro' } },
          { id: uuid(), type: 'group', accountId: 'acme', traits: { seats: 5 } },
          { id: 'not-a-uuid', type: 'seen', userId: 'u_9' },
        ],
      },
    },
  ],
  'POST /v1/track': [
    { url: '/v1/track', body: { id: uuid(), type: 'track', event: 'x', userId: 'u_9' } },
    {
      url: '/v1/track',
      body: { id: uuid(), type: 'identify', userId: 'u_9', traits: { name: 'Nine' } },
    },
    { url: '/v1/track', body: { id: uuid(), type: 'group', accountId: 'a_9', traits: {} } },
  ],
  'POST /v1/identify': [
    { url: '/v1/identify', body: { messageId: 'm-1', userId: 'u_9', traits: { plan: 'pro' } } },
  ],
  'POST /v1/group': [
    { url: '/v1/group', body: { messageId: 'm-2', userId: 'u_9', groupId: 'acme', traits: {} } },
  ],
  'POST /v1/page': [{ url: '/v1/page', body: { messageId: 'm-3', userId: 'u_9', name: 'Home' } }],
  'POST /v1/screen': [
    { url: '/v1/screen', body: { messageId: 'm-4', anonymousId: 'a_9', name: 'Home' } },
  ],
  'POST /v1/alias': [
    { url: '/v1/alias', body: { messageId: 'm-5', userId: 'u_9', previousId: 'a_9' } },
  ],
  'POST /v1/t': [{ url: '/v1/t', body: { messageId: 'm-6', userId: 'u_9', event: 'x' } }],
  'POST /v1/i': [{ url: '/v1/i', body: { messageId: 'm-7', userId: 'u_9', traits: {} } }],
  'POST /v1/g': [{ url: '/v1/g', body: { messageId: 'm-8', groupId: 'acme', traits: {} } }],
  'POST /v1/p': [{ url: '/v1/p', body: { messageId: 'm-9', userId: 'u_9' } }],
  'POST /v1/s': [{ url: '/v1/s', body: { messageId: 'm-10', userId: 'u_9' } }],
  'POST /v1/a': [{ url: '/v1/a', body: { messageId: 'm-11', userId: 'u_9', previousId: 'x' } }],
  'POST /v1/b': [
    {
      url: '/v1/b',
      body: { batch: [{ type: 'track', messageId: 'm-12', userId: 'u_9', event: 'x' }] },
    },
  ],
  'GET /v1/users/:userId': [{ url: '/v1/users/u_1' }, { url: '/v1/users/u_4' }],
  'GET /v1/accounts/:accountId': [{ url: '/v1/accounts/acme' }, { url: '/v1/accounts/globex' }],
  'GET /v1/users': [
    { url: '/v1/users?search=u_' },
    { url: '/v1/users?search=LEAD' },
    { url: '/v1/users?search=u_&limit=1&offset=1' },
  ],
  'GET /v1/accounts': [{ url: '/v1/accounts?search=a' }, { url: '/v1/accounts?search=nothing' }],
  'GET /v1/declining': [
    { url: '/v1/declining' },
    { url: '/v1/declining?level=account' },
    { url: '/v1/declining?window=7d&baseline=28d&drop=1' },
  ],
  'GET /v1/summary': [{ url: '/v1/summary' }, { url: '/v1/summary?from=2026-01-01&to=2026-01-31' }],
  'GET /v1/lifecycle': [{ url: '/v1/lifecycle' }, { url: '/v1/lifecycle?interval=month' }],
  'GET /v1/retention': [
    { url: '/v1/retention' },
    { url: '/v1/retention?interval=month&cohorts=3' },
  ],
  'DELETE /v1/users/:userId': [{ url: '/v1/users/u_gone' }],
  'GET /v1/users/:userId/export': [
    { url: '/v1/users/u_1/export' },
    { url: '/v1/users/u_dec/export' },
  ],
  'GET /v1/active': [
    { url: '/v1/active' },
    { url: '/v1/active?interval=week' },
    { url: '/v1/active?interval=month' },
  ],
  'GET /v1/inactive': [
    { url: '/v1/inactive?after=1d' },
    { url: '/v1/inactive?level=account&after=1d&sort=events' },
    { url: '/v1/inactive?level=account&after=1h&sort=mrr' },
    { url: '/v1/inactive?offset=100' },
  ],
  'GET /v1/events': [{ url: '/v1/events' }, { url: '/v1/events?userId=u_1&from=2026-01-01' }],
  'GET /v1/frequency': [{ url: '/v1/frequency' }, { url: '/v1/frequency?accountId=acme&weeks=8' }],
  'GET /healthz': [{ url: '/healthz' }],
  'GET /readyz': [{ url: '/readyz' }],
  'GET /openapi.json': [{ url: '/openapi.json' }],
}

const KEYS: Record<Operation['auth'], () => string | undefined> = {
  write: () => WRITE_KEY,
  read: () => READ_KEY,
  admin: () => adminKey,
  session: () => undefined,
  none: () => undefined,
}

/** A real answer: its status, media type, and body (JSON, or NDJSON as its lines' values). */
async function call(op: Operation, c: Call, withKey = true) {
  const authKey = withKey ? KEYS[op.auth]() : undefined
  const res = await fetch(`${server.url}${c.url}`, {
    method: op.method.toUpperCase(),
    headers: {
      ...(authKey ? { authorization: `Bearer ${authKey}` } : {}),
      ...(c.body ? { 'content-type': 'application/json' } : {}),
    },
    ...(c.body ? { body: JSON.stringify(c.body) } : {}),
  })
  const type = res.headers.get('content-type') ?? ''
  const text = await res.text()
  const body: unknown = type.startsWith('application/x-ndjson')
    ? text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line))
    : JSON.parse(text)
  return { status: res.status, type, body }
}

/** The `200` answer of `op` when it is JSON or NDJSON, with the schema of the body or each line. */
function schemaOf(op: Operation) {
  const ok = op.answers[200]
  if (ok && 'json' in ok) return { schema: ok.json, mediaType: 'application/json', lines: false }
  if (ok && 'ndjson' in ok)
    return { schema: ok.ndjson, mediaType: 'application/x-ndjson', lines: true }
  return undefined
}

const jsonOperations = operations.filter((op) => schemaOf(op) !== undefined)

/** Every answer checked, by operation, so the test can tell traits were among them. */
const checked = new Map<string, unknown[]>()

describe('real answers match the documented schemas', () => {
  it('has real requests for every operation answered with JSON', () => {
    expect(Object.keys(CALLS).sort()).toEqual(
      jsonOperations.map((op) => key(op.method, op.path)).sort(),
    )
  })

  for (const op of jsonOperations) {
    it(`${key(op.method, op.path)}: 200`, async () => {
      const documented = schemaOf(op)
      if (!documented) throw new Error('no JSON answer')
      for (const c of CALLS[key(op.method, op.path)] ?? []) {
        const { status, type, body } = await call(op, c)
        expect(status, c.url).toBe(200)
        expect(type, c.url).toMatch(new RegExp(`^${documented.mediaType}`))
        const values = documented.lines ? (body as unknown[]) : [body]
        if (documented.lines) expect(values.length, c.url).toBeGreaterThan(0)
        for (const value of values) {
          const parsed = documented.schema.safeParse(value)
          expect(parsed.error?.issues, `${c.url}: ${JSON.stringify(value)}`).toBeUndefined()
        }
        checked.set(key(op.method, op.path), [
          ...(checked.get(key(op.method, op.path)) ?? []),
          body,
        ])
      }
    })
  }

  it('checked answers that carry traits, declining items and a deletion', () => {
    const seen = (k: string) => JSON.stringify(checked.get(k))
    expect(seen('GET /v1/users/:userId')).toContain('"email":"ann@acme.io"')
    expect(seen('GET /v1/accounts/:accountId')).toContain('"mrr":99')
    expect(seen('GET /v1/users')).toContain('"userId":"u_lead"')
    expect(seen('GET /v1/inactive')).toContain('"traits":{"')
    expect(seen('GET /v1/declining')).toContain('"accountId":"initech"')
    expect(seen('GET /v1/declining')).toContain('"name":"Dee Cline"')
    expect(seen('DELETE /v1/users/:userId')).toContain('"deleted":true')
    expect(seen('GET /v1/users/:userId/export')).toContain('"type":"trait"')
  })

  const keyed = jsonOperations.filter((op) => op.auth !== 'session' && op.auth !== 'none')
  for (const op of keyed) {
    it(`${key(op.method, op.path)}: 401 as documented`, async () => {
      const [c] = CALLS[key(op.method, op.path)] ?? []
      if (!c) throw new Error('no call')
      const { status, body } = await call(op, c, false)
      expect(status).toBe(401)
      expect(errorResponseSchema.parse(body).error.code).toBe('unauthorized')
      const paths = openApiDocument().paths as Paths
      expect(Object.keys(paths[openApiPath(op.path)]?.[op.method]?.responses ?? {})).toContain(
        '401',
      )
    })
  }

  it('a bad parameter is a 400 in the error shape, as documented', async () => {
    const op = operations.find((o) => o.path === '/v1/inactive')
    if (!op) throw new Error('no /v1/inactive')
    const { status, body } = await call(op, { url: '/v1/inactive?limit=0' })
    expect(status).toBe(400)
    expect(errorResponseSchema.parse(body).error.message).toMatch(/^limit: /)
    const paths = openApiDocument().paths as Paths
    expect(Object.keys(paths['/v1/inactive']?.get?.responses ?? {})).toContain('400')
  })
})
