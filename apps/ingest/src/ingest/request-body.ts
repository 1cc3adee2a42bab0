/**
 * @module
 * Reading a write request's body: JSON sent as `application/json` or as `text/plain` (what
 * `navigator.sendBeacon` and preflight-free `fetch` send), optionally gzip-encoded. The size
 * limit holds before and after decompression, so a small gzip bomb is refused with 413.
 */
import { promisify } from 'node:util'
import { gunzip } from 'node:zlib'
import { LIMITS } from '@lastseen/sdk/wire'
import { BadRequest, InvalidJson, PayloadTooLarge, UnsupportedMediaType } from '../errors.js'
import { findJsonError } from './json-error.js'

const gunzipAsync = promisify(gunzip)

/** Media types a write body may have; no `Content-Type` at all is read as JSON too. */
const JSON_TYPES = new Set(['application/json', 'text/plain'])

const tooLarge = () =>
  new PayloadTooLarge(
    `request body is over the limit of ${LIMITS.maxRequestBytes} bytes (1 MB), also after decompression`,
  )

/** Refuse media types and encodings the service does not read (415). */
function checkHeaders(headers: Headers): 'gzip' | 'identity' {
  const type = headers.get('content-type')?.split(';')[0]?.trim().toLowerCase()
  if (type && !JSON_TYPES.has(type)) {
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

/** The declared body size; refuses (413) one over the limit before reading. */
function declaredLength(request: Request): number {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN)
  if (declared > LIMITS.maxRequestBytes) throw tooLarge()
  return declared
}

/** The body's bytes, refusing (413) as soon as they pass the limit. */
async function readBytes(request: Request): Promise<Buffer> {
  // A declared length within the limit bounds the body (HTTP framing): read it in one go.
  if (declaredLength(request) >= 0) return Buffer.from(await request.arrayBuffer())
  if (!request.body) return Buffer.alloc(0)
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = request.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > LIMITS.maxRequestBytes) {
      await reader.cancel().catch(() => {})
      throw tooLarge()
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks, size)
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

/** Parse JSON, or throw a 400 that says where the text stops being JSON. */
export function parseJson(text: string): unknown {
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

/** The parsed JSON body of a write request, within the protocol's limits. */
export async function readJsonBody(request: Request): Promise<unknown> {
  const encoding = checkHeaders(request.headers)
  // The common case, a plain body of declared length, is read straight as text.
  if (encoding === 'identity' && declaredLength(request) >= 0)
    return parseJson(await request.text())
  let bytes = await readBytes(request)
  if (encoding === 'gzip') bytes = await decompress(bytes)
  return parseJson(bytes.toString('utf8'))
}
