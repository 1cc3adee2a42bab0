/**
 * @module
 * Chaos runs, the long versions of the hostile tests: the service under a steady load from a
 * tracker with the SDK's default settings while it is killed and restarted, while its disk
 * fills up, while thousands of slow clients hold connections, and for minutes on end. Each
 * scenario ends by counting, in the store and in the read API, every event the load made:
 * sent, acknowledged, stored, duplicates. Writes `docs/reliability.md`, one section per
 * scenario, with the command that reproduces it. Not part of `pnpm test`.
 *
 * Usage: tsx chaos/run.ts [--scenario crash-loop|disk-full|slow-clients|soak|all]
 *        [--rate 2000] [--soak-minutes 5] [--slow 3000] [--no-write]
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { int, mb, table } from '../lib/format.js'
import { WRITE_KEY } from '../lib/keys.js'
import { runContext, writeSection } from '../lib/report.js'
import { type LoadResult, startLoad } from './load.js'
import type { Stored } from './service.js'
import { freePort, ServiceProcess } from './service-process.js'

const RELIABILITY = fileURLToPath(new URL('../../docs/reliability.md', import.meta.url))

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'all' },
    rate: { type: 'string', default: '2000' },
    'soak-minutes': { type: 'string', default: '5' },
    slow: { type: 'string', default: '3000' },
    'no-write': { type: 'boolean', default: false },
  },
})
const rate = Number(values.rate)

/** One scenario's outcome, as a row of the report. */
interface Outcome {
  load: LoadResult
  stored: Stored
  peakRss: number
  notes: string[]
}

const log = (message: string) =>
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`)

function summary(name: string, command: string, what: string, o: Outcome): string {
  const duplicates = Math.max(
    o.stored.rows - o.stored.ids,
    o.stored.counted - o.stored.seqs,
    o.stored.perUser - o.stored.seqs,
    0,
  )
  // Every answer counts every stored event: the whole project's and the users' own.
  const undercounted = Math.max(
    o.stored.seqs - o.stored.counted,
    o.stored.seqs - o.stored.perUser,
    0,
  )
  // Every call not stored must be one the tracker reported dropping (or still held): then no
  // acknowledged event is missing.
  const unaccounted = o.load.calls - o.stored.seqs - o.load.dropped - o.load.leftQueued
  const verdict =
    duplicates === 0 && undercounted === 0 && unaccounted <= 0
      ? 'no event counted twice or left out of an answer; every event not stored was reported dropped by the tracker, so every acknowledged event was stored'
      : `**FAILED**: ${duplicates} counted twice, ${undercounted} left out of an answer, ${Math.max(0, unaccounted)} missing without being reported dropped`
  return [
    `### ${name}`,
    '',
    what,
    '',
    runContext(command),
    '',
    table(
      [
        'track() calls',
        'acknowledged (with heartbeats)',
        'stored (distinct)',
        'counted by the read API (`/v1/events`)',
        'counted per user (`event_days`)',
        'duplicates',
        'dropped by the SDK',
        'left queued',
        'retried requests',
        'peak RSS',
      ],
      [
        [
          int(o.load.calls),
          int(o.load.acknowledged),
          int(o.stored.seqs),
          int(o.stored.counted),
          int(o.stored.perUser),
          int(duplicates),
          int(o.load.dropped),
          int(o.load.leftQueued),
          int(o.load.retried),
          mb(o.peakRss),
        ],
      ],
    ),
    '',
    `Result: ${verdict}.`,
    ...(o.notes.length ? ['', ...o.notes.map((n) => `- ${n}`)] : []),
  ].join('\n')
}

async function finish(service: ServiceProcess, load: ReturnType<typeof startLoad>) {
  const result = await load.stop()
  const stored = await service.verify(result.calls)
  await service.stop()
  log(
    `calls ${result.calls}, acknowledged ${result.acknowledged} (${result.duplicates} as duplicates), dropped ${result.dropped}, stored ${stored.seqs}, counted ${stored.counted} (per user ${stored.perUser})`,
  )
  if (stored.missing.length) log(`missing sequence numbers: ${JSON.stringify(stored.missing)}`)
  return { result, stored }
}

/** Killed and restarted three times under load: twice with SIGKILL, once with SIGTERM. */
async function crashLoop(): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'lastseen-chaos-'))
  const service = new ServiceProcess(dir, await freePort())
  await service.start()
  const load = startLoad(service.url, rate)
  const outages = [
    { at: 10, how: 'kill', downMs: 2_000 },
    { at: 25, how: 'term', downMs: 4_000 },
    { at: 40, how: 'kill', downMs: 4_000 },
  ] as const
  const started = Date.now()
  const notes: string[] = []
  for (const outage of outages) {
    await sleep(started + outage.at * 1000 - Date.now())
    const stopAt = Date.now()
    if (outage.how === 'kill') await service.kill()
    else await service.stop()
    const stopped = Date.now() - stopAt
    await sleep(outage.downMs)
    await service.start()
    const down = Date.now() - stopAt
    notes.push(
      `${outage.how === 'kill' ? 'SIGKILL' : 'SIGTERM'} at ${outage.at} s: ${outage.how === 'term' ? `exited in ${(stopped / 1000).toFixed(1)} s, ` : ''}down ${(down / 1000).toFixed(1)} s until listening again`,
    )
    log(notes.at(-1) ?? '')
  }
  await sleep(started + 60_000 - Date.now())
  const { result, stored } = await finish(service, load)
  rmSync(dir, { recursive: true, force: true })
  return { load: result, stored, peakRss: service.peakRss, notes }
}

/** The data directory's filesystem fills up under load, then space comes back. */
async function diskFull(): Promise<Outcome | string> {
  const mount = mkdtempSync(join(tmpdir(), 'lastseen-chaos-disk-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512m', 'tmpfs', mount])
  } catch (err) {
    rmSync(mount, { recursive: true, force: true })
    return `skipped: mounting a small filesystem needs root (${(err as Error).message.split('\n')[0]})`
  }
  const notes: string[] = []
  try {
    const service = new ServiceProcess(join(mount, 'data'), await freePort())
    await service.start()
    // Fill the filesystem but for a few megabytes, which the load then uses up.
    const ballast = join(mount, 'ballast')
    const free = () =>
      Number(execFileSync('df', ['--output=avail', '-B1', mount]).toString().split('\n')[1])
    writeFileSync(ballast, Buffer.alloc(Math.max(0, free() - 6 * 2 ** 20)))
    log(`disk: ${mb(free())} left`)
    const load = startLoad(service.url, rate)
    await sleep(30_000)
    const metrics = await fetch(`${service.url}/metrics`).then((r) => r.text())
    const errors = /lastseen_storage_errors_total (\d+)/.exec(metrics)?.[1] ?? '0'
    const refused = metrics
      .split('\n')
      .filter((l) => l.startsWith('lastseen_http_requests_total') && /status="50[37]"/.test(l))
      .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0)
    notes.push(
      `after 30 s with ${mb(6 * 2 ** 20)} free: ${errors} failed group inserts, ${refused} write requests answered 503; /healthz answered throughout`,
    )
    log(notes.at(-1) ?? '')
    rmSync(ballast)
    notes.push('then the space came back (the ballast file removed) and the load ran 30 s more')
    await sleep(30_000)
    const { result, stored } = await finish(service, load)
    return { load: result, stored, peakRss: service.peakRss, notes }
  } finally {
    execFileSync('umount', ['-l', mount])
    rmSync(mount, { recursive: true, force: true })
  }
}

/** A raw connection sending the headers of a write and then a byte every few seconds. */
function slowClient(url: string): Socket {
  const { port } = new URL(url)
  const socket = connect(Number(port), '127.0.0.1', () => {
    socket.write(
      `POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${WRITE_KEY}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{',
    )
  })
  const drip = setInterval(() => socket.write(' '), 3_000)
  socket.on('error', () => {})
  socket.on('close', () => clearInterval(drip))
  socket.resume()
  return socket
}

/** Thousands of slow clients hold connections while the tracker writes. */
async function slowClients(): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'lastseen-chaos-'))
  const service = new ServiceProcess(dir, await freePort())
  await service.start()
  const load = startLoad(service.url, rate / 2)
  const count = Number(values.slow)
  let sockets: Socket[] = []
  let peakFds = 0
  let opened = 0
  const started = Date.now()
  // Keep `count` slow connections open for 40 s: reopen those the service cut.
  while (Date.now() - started < 40_000) {
    sockets = sockets.filter((s) => !s.destroyed)
    for (let i = sockets.length; i < count; i++, opened++) sockets.push(slowClient(service.url))
    await sleep(1_000)
    try {
      peakFds = Math.max(peakFds, readdirSync(`/proc/${service.pid}/fd`).length)
    } catch {}
  }
  const health = await fetch(`${service.url}/healthz`, { signal: AbortSignal.timeout(5_000) })
  for (const s of sockets) s.destroy()
  const { result, stored } = await finish(service, load)
  rmSync(dir, { recursive: true, force: true })
  return {
    load: result,
    stored,
    peakRss: service.peakRss,
    notes: [
      `${int(count)} slow clients held for 40 s (${int(opened)} connections opened in all, each cut by the request timeout and reopened); the service's open descriptors peaked at ${int(peakFds)}; /healthz answered ${health.status} at the end`,
    ],
  }
}

/** Minutes of steady load with reads: memory must stay flat. */
async function soak(): Promise<Outcome> {
  const minutes = Number(values['soak-minutes'])
  const dir = mkdtempSync(join(tmpdir(), 'lastseen-chaos-'))
  const service = new ServiceProcess(dir, await freePort())
  await service.start()
  const load = startLoad(service.url, rate)
  const { READ_KEY } = await import('../lib/keys.js')
  const started = Date.now()
  const rss: number[] = []
  while (Date.now() - started < minutes * 60_000) {
    await sleep(5_000)
    await fetch(`${service.url}/v1/inactive?sort=events`, {
      headers: { authorization: `Bearer ${READ_KEY}` },
    }).then((r) => r.arrayBuffer())
    rss.push(service.lastRss)
  }
  const { result, stored } = await finish(service, load)
  rmSync(dir, { recursive: true, force: true })
  const at = (i: number) => mb(rss[Math.max(0, Math.min(rss.length - 1, i))] ?? 0)
  return {
    load: result,
    stored,
    peakRss: service.peakRss,
    notes: [
      `resident memory after 1 minute ${at(11)}, at the middle ${at(Math.floor(rss.length / 2))}, at the end ${at(rss.length - 1)}; a read (\`/v1/inactive?sort=events\`) every 5 s`,
    ],
  }
}

const SCENARIOS = {
  'crash-loop': {
    title: 'Crash loop',
    what: `${int(rate)} events/s from one tracker with default settings for 60 s; the service is killed with SIGKILL at 10 s (down 2 s), stopped with SIGTERM at 25 s (down 4 s) and killed again at 40 s (down 4 s), each time restarted on the same store.`,
    run: crashLoop,
  },
  'disk-full': {
    title: 'Disk full',
    what: `The store on a 512 MB filesystem filled to within 6 MB; ${int(rate)} events/s for 30 s until it is full, then the space is freed and the load goes on for 30 s.`,
    run: diskFull,
  },
  'slow-clients': {
    title: 'Slow clients',
    what: `${int(Number(values.slow))} connections send a write's headers and then one byte every 3 s, for 40 s, while a tracker sends ${int(rate / 2)} events/s.`,
    run: slowClients,
  },
  soak: {
    title: 'Soak',
    what: `${int(rate)} events/s for ${values['soak-minutes']} minutes, with a read every 5 s.`,
    run: soak,
  },
} as const

const names =
  values.scenario === 'all'
    ? (Object.keys(SCENARIOS) as (keyof typeof SCENARIOS)[])
    : [values.scenario as keyof typeof SCENARIOS]
let failed = false
for (const name of names) {
  const scenario = SCENARIOS[name]
  if (!scenario) throw new Error(`unknown scenario ${name}: ${Object.keys(SCENARIOS).join(', ')}`)
  log(`=== ${name}`)
  const outcome = await scenario.run()
  const command = `cd bench && npx tsx chaos/run.ts --scenario ${name}${rate === 2000 ? '' : ` --rate ${rate}`}${name === 'soak' ? ` --soak-minutes ${values['soak-minutes']}` : ''}`
  const markdown =
    typeof outcome === 'string'
      ? `### ${scenario.title}\n\n${scenario.what}\n\n${outcome}`
      : summary(scenario.title, command, scenario.what, outcome)
  if (markdown.includes('FAILED')) failed = true
  console.log(`\n${markdown}\n`)
  if (!values['no-write']) writeSection(`chaos-${name}`, markdown, RELIABILITY)
}
process.exit(failed ? 1 : 0)
