/**
 * Slack injection: ids are chosen by anyone holding the public write key. In Slack's format
 * `<!channel>`, `<!here>` and `<https://…|text>` must reach the channel as text, not as a
 * mention or a disguised link, in a single notification and in a digest's blocks alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../../src/server.js'
import { startTestServer, WRITE_KEY } from '../helpers.js'
import { daysAgo, sendBatch } from '../support/insights-seed.js'
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js'
import { expectAlive } from './support.js'

let server: RunningServer
let receiver: WebhookReceiver
beforeAll(async () => {
  receiver = await startWebhookReceiver()
  server = await startTestServer({
    LASTSEEN_WEBHOOK_URL: receiver.url,
    LASTSEEN_WEBHOOK_FORMAT: 'slack',
    LASTSEEN_WEBHOOK_INTERVAL: '1s',
  })
})
afterAll(async () => {
  await server?.close()
  await receiver?.close()
})

describe('Slack format', () => {
  it('escapes &, < and > in every id it shows', async () => {
    const seen = (userId: string, accountId: string) => ({
      id: crypto.randomUUID(),
      type: 'seen' as const,
      userId,
      accountId,
      timestamp: daysAgo(20),
    })
    await sendBatch(server.url, WRITE_KEY, [
      seen('<!channel>', '<https://evil.example|re-authenticate here>'),
      seen('<!here> & co', 'plain'),
    ])
    // Two users and two accounts went quiet before the service first looked: one summary, in
    // blocks, that lists them.
    await receiver.waitFor(1, 30_000)
    const texts: string[] = []
    const collect = (v: unknown): void => {
      if (typeof v === 'string') texts.push(v)
      else if (v && typeof v === 'object') for (const x of Object.values(v)) collect(x)
    }
    for (const r of receiver.requests) collect(JSON.parse(r.body))
    const all = texts.join('\n')
    expect(all).toContain('2 users and 2 accounts went quiet')
    expect(all).not.toMatch(/<!channel>|<!here>|<https:/)
    expect(all).toContain('&lt;!channel&gt;')
    expect(all).toContain('&lt;!here&gt; &amp; co')
    expect(all).toContain('&lt;https://evil.example|re-authenticate here&gt;')
    await expectAlive(server.url)
  })
})
