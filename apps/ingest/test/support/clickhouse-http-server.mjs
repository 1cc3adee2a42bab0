// A ClickHouse-HTTP-compatible server backed by chDB, for tests of the remote-server code path.
// It speaks the subset of ClickHouse's HTTP interface that @clickhouse/client uses: POST with the
// query in the body or in `query=` (then the body is INSERT data), `param_*` query parameters
// (also multipart), `default_format`, settings as URL parameters, gzip request and response
// bodies, `X-ClickHouse-User`/`X-ClickHouse-Key` or basic auth, GET /ping, errors as
// `Code: N. DB::Exception: …` with `X-ClickHouse-Exception-Code`. The SQL runs on the real engine.
// Run: CH_DATA_DIR=… CH_PORT=0 [CH_USER=… CH_PASSWORD=…] node clickhouse-http-server.mjs
import { createServer } from 'node:http'
import { gunzipSync, gzipSync } from 'node:zlib'
import { Session } from 'chdb'

const dataDir = process.env.CH_DATA_DIR
if (!dataDir) throw new Error('CH_DATA_DIR is required')
const session = new Session(dataDir)
// A ClickHouse server quotes 64-bit integers in JSON by default; chDB does not. Behave like a server.
await session.queryAsync('SET output_format_json_quote_64bit_integers = 1')
const user = process.env.CH_USER ?? 'default'
const password = process.env.CH_PASSWORD ?? ''

// URL parameters that belong to the HTTP layer, not to the engine's settings.
const HTTP_PARAMS = new Set([
  'query',
  'query_id',
  'database',
  'default_format',
  'session_id',
  'session_timeout',
  'role',
  'enable_http_compression',
  'wait_end_of_query',
  'send_progress_in_http_headers',
  'http_headers_progress_interval_ms',
  'http_zlib_compression_level',
  'cancel_http_readonly_queries_on_client_close',
])
const HTTP_STATUS = { 60: 404, 81: 404, 62: 400, 516: 401 }

let chain = Promise.resolve()
/** chDB runs one statement at a time per session: queue requests. */
const serially = (fn) => {
  const run = chain.then(fn, fn)
  chain = run.catch(() => {})
  return run
}

// Parameter values arrive in the type's "Escaped" text form: a String is TabSeparated-escaped,
// composite types (arrays, tuples) quote and escape their own elements.
const ESCAPES = { t: '\t', n: '\n', r: '\r', 0: '\0', b: '\b', f: '\f' }
const unescapeParam = (value) => value.replace(/\\(.)/gs, (_, c) => ESCAPES[c] ?? c)
const sqlString = (text) => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`

const isString = (type) => /^(Nullable\(|LowCardinality\()*String\)*$/.test(type.trim())

/** Substitute `{name:Type}` placeholders the way the server binds them: the text parsed as Type. */
function bindParams(query, values) {
  return query.replace(/\{(\w+):([^{}]+)\}/g, (whole, name, type) =>
    name in values
      ? `_CAST(${sqlString(isString(type) ? unescapeParam(values[name]) : values[name])}, ${sqlString(type.trim())})`
      : whole,
  )
}

function parseMultipart(body, contentType) {
  const boundary = /boundary=(.+)$/.exec(contentType)?.[1]
  const fields = {}
  if (!boundary) return fields
  for (const part of body.split(`--${boundary}`)) {
    const name = /name="([^"]+)"/.exec(part)?.[1]
    if (!name) continue
    const start = part.indexOf('\r\n\r\n')
    fields[name] = part.slice(start + 4).replace(/\r\n$/, '')
  }
  return fields
}

function authorized(req) {
  let u = req.headers['x-clickhouse-user']
  let p = req.headers['x-clickhouse-key']
  const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1]
  if (basic) [u, p] = Buffer.from(basic, 'base64').toString().split(/:(.*)/s)
  return (u ?? 'default') === user && (p ?? '') === password
}

function fail(res, code, message) {
  res.writeHead(HTTP_STATUS[code] ?? 500, {
    'content-type': 'text/plain; charset=UTF-8',
    'x-clickhouse-exception-code': String(code),
  })
  res.end(message.startsWith('Code:') ? message : `Code: ${code}. DB::Exception: ${message}`)
}

async function handle(req, res) {
  const url = new URL(req.url ?? '/', 'http://localhost')
  if (req.method === 'GET' && (url.pathname === '/ping' || url.pathname === '/')) {
    res.writeHead(200, { 'content-type': 'text/plain; charset=UTF-8' })
    return res.end('Ok.\n')
  }
  if (!authorized(req)) {
    return fail(
      res,
      516,
      `${user}: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)`,
    )
  }
  const chunks = []
  for await (const chunk of req) chunks.push(chunk)
  let raw = Buffer.concat(chunks)
  if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw)
  let body = raw.toString('utf8')
  const params = Object.fromEntries(url.searchParams)
  if ((req.headers['content-type'] ?? '').startsWith('multipart/form-data')) {
    Object.assign(params, parseMultipart(body, req.headers['content-type']))
    body = ''
  }
  const query = params.query !== undefined ? `${params.query}\n${body}` : body
  const bind = {}
  const settings = []
  for (const [key, value] of Object.entries(params)) {
    if (key.startsWith('param_')) bind[key.slice(6)] = value
    else if (!HTTP_PARAMS.has(key)) settings.push(`${key} = '${value.replaceAll("'", "\\'")}'`)
  }
  const format = params.default_format ?? 'TabSeparated'
  const started = process.hrtime.bigint()
  try {
    const result = await serially(async () => {
      if (params.database) await session.queryAsync(`USE ${params.database}`)
      if (settings.length) await session.queryAsync(`SET ${settings.join(', ')}`)
      return session.queryAsync(bindParams(query, bind), { format })
    })
    let out = Buffer.from(result.bytes())
    const headers = {
      'content-type': format.startsWith('JSON')
        ? 'application/json; charset=UTF-8'
        : 'text/plain; charset=UTF-8',
      'x-clickhouse-query-id': params.query_id ?? '',
      'x-clickhouse-format': format,
      'x-clickhouse-summary': JSON.stringify({
        read_rows: String(result.rowsRead ?? 0),
        read_bytes: String(result.bytesRead ?? 0),
        written_rows: '0',
        written_bytes: '0',
        total_rows_to_read: '0',
        result_rows: '0',
        result_bytes: String(out.length),
        elapsed_ns: String(process.hrtime.bigint() - started),
      }),
    }
    if (
      params.enable_http_compression === '1' &&
      /gzip/.test(req.headers['accept-encoding'] ?? '')
    ) {
      out = gzipSync(out)
      headers['content-encoding'] = 'gzip'
    }
    res.writeHead(200, headers)
    res.end(out)
  } catch (err) {
    fail(res, Number(err.clickhouseCode ?? 1002), String(err.message ?? err))
  }
}

const server = createServer((req, res) => {
  handle(req, res).catch((err) => fail(res, 1002, String(err?.stack ?? err)))
})
server.listen(Number(process.env.CH_PORT ?? 0), '127.0.0.1', () => {
  console.log(`clickhouse-http listening on port ${server.address().port}`)
})
const shutdown = () => server.close(() => process.exit(0))
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)
