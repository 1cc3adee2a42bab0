/**
 * @module
 * Child processes for benchmarks: each system under test runs in its own Node process (so
 * heaps do not mix, and chDB gets one data directory per process). A child reports by printing
 * lines `@@ {json}`; everything else it prints is passed through for the log.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** A running child and the messages it printed. */
export interface Child {
  process: ChildProcess
  /** Resolves with the next message the child prints (rejects if it exits first or times out). */
  next<T>(timeoutMs?: number): Promise<T>
  /** Send a line to the child's stdin. */
  send(message: unknown): void
  /** Ask the child to stop (SIGTERM, then SIGKILL after `graceMs`); resolves on exit. */
  stop(graceMs?: number): Promise<void>
}

/** Prefix of a message line. */
export const MESSAGE_PREFIX = '@@ '

/** Print a message to the parent (from inside a child). */
export function report(message: unknown): void {
  process.stdout.write(`${MESSAGE_PREFIX}${JSON.stringify(message)}\n`)
}

/** Read the messages a parent writes to this child's stdin, one JSON value per line. */
export function onParentMessage(handler: (message: unknown) => void): void {
  let buffer = ''
  process.stdin.setEncoding('utf8')
  process.stdin.on('data', (chunk: string) => {
    buffer += chunk
    let nl = buffer.indexOf('\n')
    while (nl >= 0) {
      const line = buffer.slice(0, nl)
      buffer = buffer.slice(nl + 1)
      if (line.trim()) handler(JSON.parse(line))
      nl = buffer.indexOf('\n')
    }
  })
}

/**
 * Start `script` (a `.ts` file, relative to `base`) under tsx in its own Node process.
 * `nodeArgs` go to Node (e.g. `--expose-gc`), `args` to the script.
 */
export function startChild(
  script: string,
  base: string,
  options: { args?: string[]; nodeArgs?: string[]; env?: Record<string, string> } = {},
): Child {
  const file = fileURLToPath(new URL(script, base))
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), '--import', 'tsx', file, ...(options.args ?? [])],
    {
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  )
  const queue: unknown[] = []
  const waiters: { resolve: (v: unknown) => void; reject: (e: Error) => void }[] = []
  let exited: Error | undefined
  let buffer = ''
  child.stdout?.setEncoding('utf8')
  child.stdout?.on('data', (chunk: string) => {
    buffer += chunk
    let nl = buffer.indexOf('\n')
    while (nl >= 0) {
      const line = buffer.slice(0, nl)
      buffer = buffer.slice(nl + 1)
      if (line.startsWith(MESSAGE_PREFIX)) {
        const message = JSON.parse(line.slice(MESSAGE_PREFIX.length))
        const waiter = waiters.shift()
        if (waiter) waiter.resolve(message)
        else queue.push(message)
      } else if (line.trim()) {
        process.stderr.write(`  [${script}] ${line}\n`)
      }
      nl = buffer.indexOf('\n')
    }
  })
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = new Error(`${script} exited (code ${code}, signal ${signal})`)
      for (const w of waiters.splice(0)) w.reject(exited)
      resolve()
    })
  })
  return {
    process: child,
    next<T>(timeoutMs = 120_000) {
      if (queue.length > 0) return Promise.resolve(queue.shift() as T)
      if (exited) return Promise.reject(exited)
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          const i = waiters.indexOf(waiter)
          if (i >= 0) waiters.splice(i, 1)
          reject(new Error(`${script}: no answer within ${timeoutMs} ms`))
        }, timeoutMs)
        const waiter = {
          resolve: (v: unknown) => {
            clearTimeout(timer)
            resolve(v as T)
          },
          reject: (e: Error) => {
            clearTimeout(timer)
            reject(e)
          },
        }
        waiters.push(waiter)
      })
    },
    send(message) {
      child.stdin?.write(`${JSON.stringify(message)}\n`)
    },
    async stop(graceMs = 15_000) {
      if (exited) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      await exitPromise
      clearTimeout(timer)
    },
  }
}
