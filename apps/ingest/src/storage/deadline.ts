/**
 * @module
 * Deadlines for the storage calls requests wait on: past `LASTSEEN_STORAGE_TIMEOUT` a call is
 * abandoned with `StorageUnavailable` (503). Why embedded calls then fail at once:
 * docs/architecture.md, "Storage deadlines".
 */
import { StorageUnavailable } from '../errors.js'
import { loadChdb } from './chdb.js'
import type { Storage } from './client.js'

/** Retry soon after a refused connection: a restarting server is back within seconds. */
const UNREACHABLE_RETRY_MS = 1000

/** Socket errors that mean the server is not there (as opposed to an error in a statement). */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])

/** The socket error code of `err` or of one of its causes, when it is one of `UNREACHABLE`. */
function unreachableCode(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown } | undefined
  for (let depth = 0; e && depth < 5; depth++, e = e.cause as typeof e) {
    if (typeof e.code === 'string' && UNREACHABLE.has(e.code)) return e.code
  }
  return undefined
}

/** Per embedded store: settles once no abandoned statement runs any more. */
const draining = new WeakMap<object, Promise<void>>()

/**
 * Run `call` (one or a few statements, reading their answers) with a deadline of
 * `storage.timeoutMs` (or `timeoutMs`); `call` should pass `signal` on as `abort_signal`.
 * @param what names the call in the error, e.g. `'the insert'`
 * @param holdOnTimeout embedded: refuse later calls while the abandoned statement runs. A probe
 *   with a short deadline (`/readyz`) passes `false`: on the embedded engine its miss usually
 *   means waiting behind a slow query, not a hung disk, and must not refuse writes meanwhile.
 */
export async function withDeadline<T>(
  storage: Storage,
  what: string,
  call: (signal: AbortSignal) => Promise<T>,
  timeoutMs = storage.timeoutMs,
  holdOnTimeout = true,
): Promise<T> {
  if (draining.has(storage.client)) {
    throw new StorageUnavailable(
      'storage is not answering: an abandoned statement still runs in the embedded engine',
      timeoutMs,
    )
  }
  const controller = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort()
      if (storage.kind === 'embedded' && holdOnTimeout) hold(storage.client)
      reject(
        new StorageUnavailable(`storage did not answer ${what} within ${timeoutMs} ms`, timeoutMs),
      )
    }, timeoutMs)
  })
  const pending = call(controller.signal)
  try {
    return await Promise.race([pending, expired])
  } catch (err) {
    const code = unreachableCode(err)
    if (code) {
      throw new StorageUnavailable(`storage is unreachable (${code})`, UNREACHABLE_RETRY_MS, {
        cause: err,
      })
    }
    throw err
  } finally {
    clearTimeout(timer)
    pending.catch(() => {})
  }
}

/** Refuse calls on `client` until the embedded engine has finished every statement. */
function hold(client: object): void {
  if (draining.has(client)) return
  // An aborted chDB call settles at once, but its statement runs on: chDB's drainPending()
  // settles when no statement of this process (which owns the store) is running any more.
  const drained = loadChdb()
    .then(({ drainPending }) => drainPending())
    .catch(() => {})
    .finally(() => draining.delete(client))
  draining.set(client, drained)
}
