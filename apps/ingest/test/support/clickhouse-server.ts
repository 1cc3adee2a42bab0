/**
 * @module
 * Starts the chDB-backed ClickHouse HTTP test server (./clickhouse-http-server.mjs) in a child
 * process, so the service's remote-server code path runs over real HTTP against the real engine,
 * and so tests can stop the "server" mid-load and start it again on the same port and data.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const script = fileURLToPath(new URL('./clickhouse-http-server.mjs', import.meta.url))

export interface ClickHouseServerOptions {
  /** On-disk store; survives stop/restart. */
  dataDir: string
  /** Port on 127.0.0.1; 0 (default) picks a free one, kept across restarts. */
  port?: number
  /** Required user and password (default: user `default`, empty password). */
  user?: string
  password?: string
}

export interface ClickHouseTestServer {
  /** `http://127.0.0.1:<port>`, stable across restarts. */
  url: string
  port: number
  /** Stop the server: `SIGTERM` (default) closes it, `SIGKILL` simulates a crash. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>
  /** Start it again on the same port and data directory. */
  restart(): Promise<void>
  /**
   * Freeze the server (`SIGSTOP`): connections are still accepted by the kernel, nothing is
   * answered — a hung server or disk. `resume()` thaws it.
   */
  pause(): void
  resume(): void
}

function launch(options: ClickHouseServerOptions, port: number) {
  const child = spawn(process.execPath, [script], {
    env: {
      ...process.env,
      CH_DATA_DIR: options.dataDir,
      CH_PORT: String(port),
      ...(options.user ? { CH_USER: options.user } : {}),
      ...(options.password ? { CH_PASSWORD: options.password } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  // A failed test must not leave a server running after its worker ends.
  process.once('exit', () => child.kill('SIGKILL'))
  let output = ''
  const ready = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`ClickHouse test server silent for 60s:\n${output}`)),
      60_000,
    )
    const onData = (data: Buffer) => {
      output += data
      const match = /listening on port (\d+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve(Number(match[1]))
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`ClickHouse test server exited with ${code}:\n${output}`))
    })
  })
  return { child, ready }
}

/** Start the test server; call `stop()` when done. */
export async function startClickHouseServer(
  options: ClickHouseServerOptions,
): Promise<ClickHouseTestServer> {
  let current: ChildProcess
  const first = launch(options, options.port ?? 0)
  current = first.child
  const port = await first.ready
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop(signal = 'SIGTERM') {
      const child = current
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
      return new Promise((resolve) => {
        child.once('exit', () => resolve())
        child.kill(signal)
      })
    },
    async restart() {
      const next = launch(options, port)
      current = next.child
      await next.ready
    },
    pause() {
      current.kill('SIGSTOP')
    },
    resume() {
      current.kill('SIGCONT')
    },
  }
}
