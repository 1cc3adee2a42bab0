/**
 * @module
 * Reading a write request's body: JSON sent as `application/json` or as `text/plain` (what
 * `navigator.sendBeacon` and preflight-free `fetch` send), optionally gzip-encoded. The size
 * limit holds before and after decompression, so a small gzip bomb is refused too.
 */
import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import { LIMITS } from '@lastseen/protocol'
import type { Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { createMiddleware } from 'hono/factory'
import type { z } from 'zod'
import {
  BadRequest,
  describeIssue,
  InvalidJson,
  PayloadTooLarge,
  UnsupportedMediaType,
} from '../errors.js'
import { findJsonError } from './json-error.js'

const gunzipAsync = promisify(gunzip)

/** Media types a write body may have; no `Content-Type` at all is read as JSON too. */
const JSON_TYPES = new Set(['application/json', 'text/plain'])

/** How a route reads its body. */
export interface BodyOptions {
  /**
   * Read a body labelled `application/x-www-form-urlencoded` as JSON too: RudderStack's Node
   * SDK labels its (gzip) JSON so. Only for Segment's wire, whose clients never send forms.
   */
  formAsJson?: boolean
}

const FORM_TYPE = 'application/x-www-form-urlencoded'

const tooLarge = () =>
  new PayloadTooLarge(
    `request body is over the limit of ${LIMITS.maxRequestBytes} bytes (${LIMITS.maxRequestBytes / 1024 ** 2} MB), also after decompression`,
  )

/**
 * The limit on the bytes received: by `Content-Length` before a byte is read, or counted as a
 * chunked body streams in.
 */
const limitBytes = bodyLimit({
  maxSize: LIMITS.maxRequestBytes,
  onError: () => {
    throw tooLarge()
  },
})

/** Sets `c.var.receivedAt`, the server's time of a write, before anything else is done. */
export const stampReceived = createMiddleware<{ Variables: { receivedAt: Date } }>(
  async (c, next) => {
    c.set('receivedAt', new Date())
    await next()
  },
)

/** Refuse media types and encodings the service does not read. */
function checkHeaders(headers: Headers, options: BodyOptions): 'gzip' | 'identity' {
  const type = headers.get('content-type')?.split(';')[0]?.trim().toLowerCase()
  if (type && !JSON_TYPES.has(type) && !(options.formAsJson && type === FORM_TYPE)) {
    throw new UnsupportedMediaType(
      `Content-Type ${type} is not supported: send JSON as application/json or text/plain`,
    )
  }
  const encoding = headers.get('content-encoding')?.trim().toLowerCase() || 'identity'
  if (encoding !== 'gzip' && encoding !== 'identity') {
    throw new UnsupportedMediaType(
      `Content-Encoding ${encoding} is not supported: send gzip or no encoding`,
    )
  }
  return encoding
}

async function decompress(bytes: Buffer): Promise<Buffer> {
  try {
    return await gunzipAsync(bytes, { maxOutputLength: LIMITS.maxRequestBytes })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge()
    throw new BadRequest(
      `body is not valid gzip (Content-Encoding: gzip): ${(err as Error).message}`,
    )
  }
}

/** Parse JSON, or throw `InvalidJson` saying where the text stops being JSON. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (err) {
    const at = findJsonError(text)
    const where = at
      ? ` at line ${at.line}, column ${at.column} (position ${at.position}): ${at.reason}`
      : `: ${(err as Error).message}`
    throw new InvalidJson(`body is not valid JSON${where}`)
  }
}

/** Each request's body as read: a request may be looked at before its route reads it. */
const bodies = new WeakMap<Request, Promise<unknown>>()

/**
 * The parsed JSON body of a write request, within the protocol's limits. Read once per request:
 * the wire dispatch of `/v1/batch` and `/v1/track` looks at it before the route that answers.
 */
export function readWriteJson(c: Context, options: BodyOptions = {}): Promise<unknown> {
  let body = bodies.get(c.req.raw)
  if (!body) {
    body = readJson(c, options)
    bodies.set(c.req.raw, body)
  }
  return body
}

async function readJson(c: Context, options: BodyOptions): Promise<unknown> {
  const encoding = checkHeaders(c.req.raw.headers, options)
  const declared = c.req.header('content-length')
  // A declared length is refused before the body is touched: on Node, touching it starts
  // reading the upload, and the server could then no longer drain the refused body and keep
  // the connection. Within the limit, hono's body limit counts a chunked body as it streams in
  // and keeps it in `c.req.raw`.
  if (Number(declared) > LIMITS.maxRequestBytes) throw tooLarge()
  await limitBytes(c, async () => {})
  // The common case, a plain body of declared length, is read straight as text.
  if (encoding === 'identity' && declared !== undefined) return parseJson(await c.req.raw.text())
  let bytes: Buffer = Buffer.from(await c.req.raw.arrayBuffer())
  if (encoding === 'gzip') bytes = await decompress(bytes)
  return parseJson(bytes.toString('utf8'))
}

/**
 * A write's body: read as JSON, `precheck`ed (for answers such as 413 that must come before
 * schema problems), then parsed with `schema` (`BadRequest` naming the first problem).
 */
export async function readWriteBody<T>(
  c: Context,
  schema: z.ZodType<T>,
  precheck: (json: unknown) => void,
  options: BodyOptions = {},
): Promise<{ json: unknown; envelope: T }> {
  const json = await readWriteJson(c, options)
  precheck(json)
  const parsed = schema.safeParse(json)
  if (!parsed.success) throw new BadRequest(describeIssue(parsed.error))
  return { json, envelope: parsed.data }
}
