/**
 * @module
 * The OpenAPI 3.1 document, generated from the operation table and the zod schemas the service
 * validates with (bodies, query parameters) and answers with: served at `GET /openapi.json`
 * and written to docs/openapi.json by `pnpm --filter @lastseen/ingest openapi`.
 */
import { ERROR_STATUS, type ErrorCode } from '@lastseen/protocol'
import { z } from 'zod'
import { SESSION_COOKIE } from '../dashboard/session.js'
import { errorResponseSchema } from '../http/errors.js'
import {
  batchRequestSchema,
  batchResponseSchema,
  trackRequestSchema,
  wireEventSchema,
} from '../ingest/validation.js'
import { accountProfileSchema } from '../insights/accounts.js'
import { activeAnswerSchema } from '../insights/active.js'
import { decliningAnswerSchema } from '../insights/declining.js'
import { eventsAnswerSchema } from '../insights/events.js'
import { frequencyAnswerSchema } from '../insights/frequency.js'
import { inactiveAnswerSchema } from '../insights/inactive.js'
import { lifecycleAnswerSchema } from '../insights/lifecycle.js'
import { retentionAnswerSchema } from '../insights/retention.js'
import { searchAnswerSchema } from '../insights/search.js'
import { userProfileSchema } from '../insights/users.js'
import { healthAnswerSchema, readyAnswerSchema } from '../ops/health.js'
import { exportLineSchema } from '../rights/export.js'
import { deletedAnswerSchema } from '../rights/routes.js'
import {
  segmentBatchRequestSchema,
  segmentMessageRequestSchema,
  segmentMessageSchema,
  segmentSuccessSchema,
} from '../wires/segment/schema.js'
import type { Answer, Auth, Operation } from './operation.js'
import { batchBodySchema, operations, sharedAnswerSchema, trackBodySchema } from './operations.js'

type Json = Record<string, unknown>

/** Schemas of request bodies given a name under `components/schemas` (read as sent: `io: 'input'`). */
const REQUEST_SCHEMAS = {
  BatchBody: batchBodySchema,
  BatchRequest: batchRequestSchema,
  TrackBody: trackBodySchema,
  TrackRequest: trackRequestSchema,
  WireEvent: wireEventSchema,
  SegmentBatchRequest: segmentBatchRequestSchema,
  SegmentMessage: segmentMessageSchema,
  SegmentMessageRequest: segmentMessageRequestSchema,
}

/** Schemas of answers given a name under `components/schemas`. */
const ANSWER_SCHEMAS = {
  WriteAnswer: sharedAnswerSchema,
  BatchResponse: batchResponseSchema,
  SegmentSuccess: segmentSuccessSchema,
  Error: errorResponseSchema,
  UserProfile: userProfileSchema,
  AccountProfile: accountProfileSchema,
  SearchAnswer: searchAnswerSchema,
  ActiveAnswer: activeAnswerSchema,
  InactiveAnswer: inactiveAnswerSchema,
  DecliningAnswer: decliningAnswerSchema,
  LifecycleAnswer: lifecycleAnswerSchema,
  RetentionAnswer: retentionAnswerSchema,
  EventsAnswer: eventsAnswerSchema,
  FrequencyAnswer: frequencyAnswerSchema,
  DeletedAnswer: deletedAnswerSchema,
  ExportLine: exportLineSchema,
  Health: healthAnswerSchema,
  Ready: readyAnswerSchema,
}

/** What each error code means, for the descriptions of error answers. */
const ERROR_MEANING: Record<ErrorCode, string> = {
  bad_request: 'a parameter or the body is not valid; the message names it',
  invalid_json: 'the body is not JSON',
  unauthorized: 'no key, or an unknown or revoked key',
  forbidden: 'a key of another kind (such as a write or admin key for reading)',
  not_found: 'nothing with that id in the project',
  payload_too_large: 'the body is over its limit',
  unsupported_media_type: 'a body that is not JSON or a Content-Encoding other than gzip',
  rate_limited: 'too many requests, or too many failed authentications, from this client',
  unavailable: 'shutting down, overloaded, or storage not answering: retry after Retry-After',
  internal: 'an unexpected error, logged by the service',
}

/** Errors any route may answer. */
const EVERY_ROUTE: ErrorCode[] = ['unavailable', 'internal']

/** Errors the authentication of each kind may answer. */
const AUTH_ERRORS: Record<Auth, ErrorCode[]> = {
  write: ['unauthorized', 'forbidden', 'rate_limited'],
  read: ['unauthorized', 'forbidden', 'rate_limited'],
  admin: ['unauthorized', 'forbidden', 'rate_limited'],
  session: ['rate_limited'],
  none: [],
}

const SECURITY: Record<Auth, Json[]> = {
  // Without the header the key is `writeKey` in the body, which OpenAPI cannot name.
  write: [{ writeKey: [] }, { segmentKey: [] }, {}],
  read: [{ readKey: [] }],
  admin: [{ adminKey: [] }],
  session: [{ session: [] }],
  none: [],
}

const SECURITY_SCHEMES = {
  writeKey: {
    type: 'http',
    scheme: 'bearer',
    description:
      'A write key (`lsw_…`) in `Authorization: Bearer`; clients that cannot set headers (sendBeacon) put it in the body as `writeKey` instead.',
  },
  segmentKey: {
    type: 'http',
    scheme: 'basic',
    description:
      "A write key as the user name of `Authorization: Basic`, with an empty password, as Segment's clients send it; on `/v1/batch` and `/v1/track` this scheme also means the body is in Segment's wire.",
  },
  readKey: { type: 'http', scheme: 'bearer', description: 'A read key (`lsr_…`).' },
  adminKey: {
    type: 'http',
    scheme: 'bearer',
    description:
      'An admin key (`lsa_…`): deletes and exports users of its project, and nothing else.',
  },
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description: 'The dashboard session, started by `POST /session` with the read key.',
  },
}

const TAGS = [
  { name: 'write', description: 'Sending events (the SDK uses these).' },
  { name: 'read', description: 'The read API: figures about users, accounts and events.' },
  { name: 'rights', description: 'Data rights: deleting and exporting a user (admin key).' },
  { name: 'ops', description: 'Health, readiness, metrics, and this document.' },
  { name: 'dashboard', description: 'The server-rendered dashboard (HTML pages and forms).' },
]

const RETRY_AFTER = {
  'Retry-After': {
    description: 'Seconds to wait before trying again.',
    schema: { type: 'integer', minimum: 1 },
  },
}

/** JSON Schema of `schema` for a document of this dialect (no `$schema` of its own). */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io }) as Json
  return rest
}

/** The named schemas of `named` as components, each naming the others by `$ref`. */
function components(named: Record<string, z.ZodType>, io: 'input' | 'output'): Json {
  const registry = z.registry<{ id: string }>()
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id })
  const { schemas } = z.toJSONSchema(registry, {
    io,
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Json> }
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _, $id: __, ...rest }]) => [id, rest]),
  )
}

/** A `$ref` to the component of `schema`, or the schema itself when it has no name. */
function schemaRef(schema: z.ZodType, io: 'input' | 'output'): Json {
  const named: Record<string, z.ZodType> = io === 'input' ? REQUEST_SCHEMAS : ANSWER_SCHEMAS
  const name = Object.keys(named).find((id) => named[id] === schema)
  return name ? { $ref: `#/components/schemas/${name}` } : jsonSchema(schema, io)
}

/** `/v1/users/:userId` as OpenAPI writes it: `/v1/users/{userId}`. */
export const openApiPath = (path: string): string => path.replace(/:(\w+)/g, '{$1}')

/** A name for code generators: `getV1UsersByUserId`. */
function operationId(op: Operation): string {
  const words = op.path
    .split('/')
    .filter(Boolean)
    .map((part) => (part.startsWith(':') ? `By${part.slice(1)}` : part))
    .flatMap((part) => part.split(/[^A-Za-z0-9]+/))
    .filter(Boolean)
  const name = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')
  return `${op.method}${name || 'Root'}`
}

/** A parameter of `place`, its description lifted from its schema. */
function parameter(name: string, place: 'path' | 'query', schema: Json, required: boolean): Json {
  const { description, ...rest } = schema
  return { name, in: place, required, ...(description ? { description } : {}), schema: rest }
}

function parameters(op: Operation): Json[] {
  const path = Object.entries(op.params ?? {}).map(([name, schema]) =>
    parameter(name, 'path', jsonSchema(schema, 'input'), true),
  )
  if (!op.query) return path
  const query = jsonSchema(op.query, 'input') as { properties?: Json; required?: string[] }
  return [
    ...path,
    ...Object.entries(query.properties ?? {}).map(([name, schema]) =>
      parameter(name, 'query', schema as Json, query.required?.includes(name) ?? false),
    ),
  ]
}

/** The content of an answer, by media type. */
function content(answer: Answer): Json | undefined {
  if ('json' in answer) return { 'application/json': { schema: schemaRef(answer.json, 'output') } }
  if ('ndjson' in answer) {
    // OpenAPI 3.1 has no schema for each line of a stream; 3.2 names it `itemSchema`.
    return {
      'application/x-ndjson': {
        schema: { type: 'string', description: 'One JSON value per line (NDJSON).' },
        'x-itemSchema': schemaRef(answer.ndjson, 'output'),
      },
    }
  }
  if ('html' in answer) return { 'text/html': { schema: { type: 'string' } } }
  if ('text' in answer)
    return { [answer.mediaType ?? 'text/plain']: { schema: { type: 'string' } } }
  return undefined
}

function responses(op: Operation): Json {
  const out: Record<string, Json> = {}
  for (const [status, answer] of Object.entries(op.answers)) {
    const body = content(answer)
    const headers = {
      ...('redirect' in answer ? { Location: { schema: { type: 'string' } } } : {}),
      ...(answer.retryAfter ? RETRY_AFTER : {}),
    }
    out[status] = {
      description: answer.description,
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      ...(body ? { content: body } : {}),
    }
  }
  const codes = new Set([...(op.errors ?? []), ...AUTH_ERRORS[op.auth], ...EVERY_ROUTE])
  const byStatus = new Map<number, ErrorCode[]>()
  for (const code of Object.keys(ERROR_STATUS) as ErrorCode[]) {
    if (codes.has(code))
      byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code])
  }
  for (const [status, list] of byStatus) {
    const page = out[status]
    const description = list.map((code) => `\`${code}\`: ${ERROR_MEANING[code]}`).join('; ')
    const retry = status === 429 || status === 503 ? RETRY_AFTER : {}
    out[status] = {
      description: page ? `${page.description} Otherwise ${description}.` : `${description}.`,
      headers: { ...((page?.headers as Json | undefined) ?? {}), ...retry },
      content: {
        ...((page?.content as Json | undefined) ?? {}),
        'application/json': { schema: { $ref: '#/components/schemas/Error' } },
      },
    }
    if (Object.keys(out[status].headers as Json).length === 0) delete out[status].headers
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => Number(a) - Number(b)))
}

function requestBody(op: Operation): Json | undefined {
  if (!op.body && !op.bodyTypes) return undefined
  const schema = op.body ? schemaRef(op.body, 'input') : { type: 'object' }
  const types = op.bodyTypes ?? ['application/json']
  return {
    required: true,
    content: Object.fromEntries(types.map((type) => [type, { schema }])),
  }
}

function describe(op: Operation): Json {
  const params = parameters(op)
  const body = requestBody(op)
  return {
    operationId: operationId(op),
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    security: SECURITY[op.auth],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: responses(op),
  }
}

/** The OpenAPI 3.1 document of `ops` (every operation of the service by default). */
export function openApiDocument(ops: readonly Operation[] = operations): Json {
  const paths: Record<string, Json> = {}
  for (const op of ops) {
    const path = openApiPath(op.path)
    paths[path] = { ...paths[path], [op.method]: describe(op) }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'lastseen ingest',
      version: '1',
      description:
        'The self-hosted lastseen service: the write API the SDK sends events to, the read API, health and metrics, and the dashboard. Every error is answered as `{ "error": { "code", "message" } }`. Details, limits and examples: docs/api.md.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: TAGS,
    paths,
    components: {
      schemas: {
        ...components(REQUEST_SCHEMAS, 'input'),
        ...components(ANSWER_SCHEMAS, 'output'),
      },
      securitySchemes: SECURITY_SCHEMES,
    },
  }
}
