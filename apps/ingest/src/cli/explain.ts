/**
 * @module
 * An operator's mistake in one line — what failed, why, what to do — for the CLI to print
 * before it exits 1. Stack traces only with `LASTSEEN_DEBUG=1`.
 */
import { ConfigError } from '../config.js'
import { NotFound } from '../errors.js'
import { KeyError } from '../keys/admin.js'
import { StorageOpenError } from '../storage/client.js'
import { UsageError } from './usage-error.js'

/** Errors whose message was written for the operator already (NotFound: `users` of no one). */
const WRITTEN_FOR_OPERATORS = [ConfigError, StorageOpenError, KeyError, NotFound]

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim()

/** The line that explains `err`, raised while running `command` (undefined: none given). */
export function explain(err: unknown, command: string | undefined): string {
  const help = command ? `lastseen-ingest ${command} --help` : 'lastseen-ingest --help'
  if (err instanceof UsageError) return `${oneLine(err.message)}; see ${help}`
  if (WRITTEN_FOR_OPERATORS.some((kind) => err instanceof kind)) {
    return oneLine((err as Error).message)
  }
  const listen = listenProblem(err)
  if (listen) return listen
  const message = err instanceof Error ? err.message : String(err)
  return (
    `lastseen-ingest${command ? ` ${command}` : ''} failed: ${oneLine(message.split('\n')[0] ?? '')}; ` +
    'run it again with LASTSEEN_DEBUG=1 for the details'
  )
}

/** A port that cannot be bound, by the `listen` error's code. */
function listenProblem(err: unknown): string | undefined {
  const e = err as Partial<NodeJS.ErrnoException> & { address?: string; port?: number }
  if (e?.syscall !== 'listen') return undefined
  const where = `${e.address?.includes(':') ? `[${e.address}]` : e.address}:${e.port}`
  switch (e.code) {
    case 'EADDRINUSE':
      return `cannot listen on ${where}: the port is in use by another process; stop that process or choose another port with --port or PORT`
    case 'EACCES':
      return `cannot listen on ${where}: permission denied (ports below 1024 need privileges); choose a port from 1024 up with --port or PORT`
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: no interface of this machine has the address ${e.address}; choose another with --host or HOST (0.0.0.0: every interface)`
    default:
      return `cannot listen on ${where}: ${e.code}; check --host/HOST and --port/PORT`
  }
}

/** What `LASTSEEN_DEBUG=1` adds: the stack of `err` and of each cause. */
export function debugDetails(err: unknown): string {
  const parts: string[] = []
  let e: unknown = err
  for (let depth = 0; e && depth < 5; depth++) {
    parts.push(e instanceof Error ? (e.stack ?? e.message) : String(e))
    e = (e as { cause?: unknown }).cause
  }
  return parts.join('\ncaused by: ')
}
