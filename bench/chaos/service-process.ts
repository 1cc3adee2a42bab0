/**
 * @module
 * The service child as a scenario drives it: started on a fixed port and data directory, so
 * that a restart comes back where the tracker sends; stopped with SIGTERM or killed with
 * SIGKILL; its resident memory sampled while it runs.
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { type Child, startChild } from '../lib/child.js'
import type { Stored } from './service.js'

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}

/** Resident memory of a process in bytes (0 once it is gone). */
function rssOf(pid: number | undefined): number {
  if (!pid) return 0
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)
    return Number(line?.[1] ?? 0) * 1024
  } catch {
    return 0
  }
}

/** The service, restartable on one port and one data directory. */
export class ServiceProcess {
  private child: Child | undefined
  private sampler: NodeJS.Timeout | undefined
  /** Highest resident memory seen in any run of the service. */
  peakRss = 0
  /** Resident memory at the last sample. */
  lastRss = 0

  constructor(
    readonly dataDir: string,
    readonly port: number,
    private readonly env: Record<string, string> = {},
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  get pid(): number | undefined {
    return this.child?.process.pid
  }

  async start(): Promise<void> {
    this.child = startChild('./service.ts', import.meta.url, {
      env: { ...this.env, BENCH_DATA_DIR: this.dataDir, BENCH_PORT: String(this.port) },
    })
    await this.child.next<{ url: string }>(120_000)
    this.sampler = setInterval(() => {
      this.lastRss = rssOf(this.child?.process.pid)
      this.peakRss = Math.max(this.peakRss, this.lastRss)
    }, 250)
  }

  /** SIGTERM, as an operator's restart; resolves once it exited. */
  async stop(): Promise<void> {
    clearInterval(this.sampler)
    await this.child?.stop(30_000)
    this.child = undefined
  }

  /** SIGKILL, as a crash or the OOM killer. */
  async kill(): Promise<void> {
    clearInterval(this.sampler)
    const child = this.child
    this.child = undefined
    if (!child) return
    const exited = new Promise((r) => child.process.once('exit', r))
    child.process.kill('SIGKILL')
    await exited
  }

  /** What is stored of the `calls` events the load made (the service must be running). */
  async verify(calls: number): Promise<Stored> {
    if (!this.child) throw new Error('the service is not running')
    this.child.send({ cmd: 'verify', calls })
    return this.child.next<Stored>(120_000)
  }
}
