import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { startChild } from '../lib/child.js'
import { WRITE_KEY } from '../lib/keys.js'
import { batchBodySource } from './rows.js'

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '8' },
    a: { type: 'string', default: '/work/main' },
    b: { type: 'string', default: '/work/wt/ingestperf' },
    envb: { type: 'string', default: '' },
    enva: { type: 'string', default: '' },
  },
})
const env = (s: string) =>
  Object.fromEntries(
    s
      .split(',')
      .filter(Boolean)
      .map((kv) => kv.split('=')),
  )
async function run(root: string, e: Record<string, string>) {
  const child = startChild(`file://${root}/bench/ingest/server-lastseen.ts`, import.meta.url, {
    env: e,
  })
  try {
    const { url } = await child.next<{ url: string }>(120_000)
    const body = batchBodySource(100)
    let acked = 0
    const go = (d: number) =>
      autocannon({
        url,
        connections: 8,
        duration: d,
        requests: [
          {
            method: 'POST',
            path: '/v1/batch',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${WRITE_KEY}` },
            setupRequest: (r) => ({ ...r, body: body() }),
            onResponse: (st, t) => {
              const m = st === 200 ? /"accepted":(\d+)/.exec(t) : null
              if (m) acked += Number(m[1])
            },
          },
        ],
      })
    await go(2)
    acked = 0
    const r = await go(Number(values.duration))
    return { eps: Math.round(acked / r.duration), p50: r.latency.p50, p99: r.latency.p99 }
  } finally {
    await child.stop()
  }
}
for (let i = 0; i < Number(values.rounds); i++) {
  const order = i % 2 ? ['b', 'a'] : ['a', 'b']
  for (const k of order) {
    const root = k === 'a' ? values.a : values.b
    const r = await run(root as string, env((k === 'a' ? values.enva : values.envb) as string))
    console.log(k, root, JSON.stringify(r))
  }
}
