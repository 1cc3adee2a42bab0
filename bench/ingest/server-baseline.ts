/**
 * @module
 * Child process: the one-INSERT-per-request baseline. A minimal Hono app on embedded chDB
 * whose `POST /v1/batch` checks the key, turns the batch into rows and awaits one
 * `client.insert()` of them into a MergeTree table shaped like the service's raw events table
 * before answering — the simplest design that also acknowledges only stored events.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient } from '@clickhouse/client'
import { serve } from '@hono/node-server'
import { createChdbConnection } from 'chdb/connection'
import { Hono } from 'hono'
import { onParentMessage, report } from '../lib/child.js'
import { WRITE_KEY } from '../lib/keys.js'
import { baselineTableSql } from './rows.js'

const TABLE = 'baseline.events'

interface InEvent {
  id: string
  event: string
  userId: string
  accountId?: string
  timestamp?: string
  properties?: unknown
}

const dir = mkdtempSync(join(tmpdir(), 'lastseen-bench-baseline-'))
const client = createClient({
  connection: createChdbConnection({ path: dir }) as unknown as NonNullable<
    NonNullable<Parameters<typeof createClient>[0]>['connection']
  >,
})
await client.command({ query: 'CREATE DATABASE IF NOT EXISTS baseline' })
await client.command({ query: baselineTableSql(TABLE) })

const time = (iso: string) => iso.replace('T', ' ').replace('Z', '')
const app = new Hono().post('/v1/batch', async (c) => {
  if (c.req.header('authorization') !== `Bearer ${WRITE_KEY}`) return c.json({ error: 'key' }, 401)
  const body = (await c.req.json()) as { sentAt: string; batch: InEvent[] }
  const received = time(new Date().toISOString())
  const sentAt = time(body.sentAt)
  await client.insert({
    table: TABLE,
    format: 'JSONEachRow',
    values: body.batch.map((e) => ({
      project_id: 'default',
      id: e.id,
      event: e.event,
      user_id: e.userId,
      account_id: e.accountId ?? '',
      timestamp: e.timestamp ? time(e.timestamp) : received,
      sent_at: sentAt,
      received_at: received,
      properties: e.properties ? JSON.stringify(e.properties) : '',
      count: 1,
      flags: 0,
    })),
  })
  return c.json({ accepted: body.batch.length, duplicates: 0, rejected: [] })
})

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  report({ url: `http://127.0.0.1:${(info as AddressInfo).port}` })
})

onParentMessage(async (message) => {
  if ((message as { cmd?: string }).cmd === 'count') {
    const result = await client.query({
      query: `SELECT uniqExact(id) AS n FROM ${TABLE}`,
      format: 'JSONEachRow',
    })
    const rows = await result.json<{ n: string | number }>()
    report({ stored: Number(rows[0]?.n ?? 0) })
  }
})

process.once('SIGTERM', async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await client.close()
  rmSync(dir, { recursive: true, force: true })
  process.exit(0)
})
