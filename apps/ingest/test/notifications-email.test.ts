/**
 * Email notifications on real chDB, sent through SMTP (nodemailer) to a real SMTP server the
 * test starts (`smtp-server`, parsed with `mailparser`): a digest names each person with name,
 * email and account, in a text and an HTML part, with every trait escaped in the HTML; while
 * the SMTP server is down the digest waits (and history arriving meanwhile gets its own) and is
 * sent exactly once when it is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server.js'
import { forgetUser } from '../src/storage/forget-user.js'
import { count, startTestServer, WRITE_KEY } from './helpers.js'
import { groupEvent, identifyEvent } from './support/events.js'
import { seen, sendBatch } from './support/insights-seed.js'
import { type SmtpReceiver, smtpReceiver } from './support/smtp-receiver.js'
import { webhookHarness } from './support/webhook-harness.js'

let server: RunningServer
let smtp: SmtpReceiver

const { monitor, round, stopAll } = webhookHarness(() => ({
  storage: server.storage,
  email: {
    smtpUrl: smtp.url,
    to: ['team@example.com', 'ceo@example.com'],
    from: 'lastseen <ls@example.com>',
  },
  delivery: { attempts: 2, backoffMs: 50, timeoutMs: 2000 },
  publicUrl: 'https://lastseen.example.com',
}))

beforeAll(async () => {
  smtp = await smtpReceiver()
  server = await startTestServer()
})

afterAll(async () => {
  await stopAll()
  await server?.close()
  await smtp?.close()
})

describe('email notifications', () => {
  it('sends a digest with the right people once the SMTP server is up, exactly once', async () => {
    const a = monitor()
    // The first look at the project: what is loaded afterwards with old times is a backfill.
    await a.check()
    await sendBatch(server.url, WRITE_KEY, [
      seen('u_ann', 20, 'acme'),
      seen('u_eve', 21, 'acme'),
      seen('u_bob', 22, 'initech'),
      identifyEvent('u_ann', { name: 'Ann Lee', email: 'ann@acme.io' }),
      identifyEvent('u_eve', {
        name: '<script>alert(1)</script> Eve',
        email: '"><img src=x>@evil.io',
      }),
      identifyEvent('u_bob', { name: 'Bob', email: 'bob@initech.com' }),
      groupEvent('acme', { name: 'Acme & Co', mrr: 490 }),
      groupEvent('initech', { name: 'Initech', mrr: 20 }),
    ] as never)

    // SMTP is down: the episodes are held, the digest is claimed, its sending fails and waits.
    await round(a)
    await round(a)
    await round(a)
    // More history arrives meanwhile: its own summary; the waiting one keeps its episodes.
    await sendBatch(server.url, WRITE_KEY, [
      seen('u_cat', 23, 'initech'),
      identifyEvent('u_cat', { name: 'Cat', email: 'cat@initech.com' }),
    ] as never)
    await round(a)
    await round(a)
    expect(smtp.messages).toHaveLength(0)

    await smtp.start()
    await round(a)
    expect(smtp.messages).toHaveLength(2)
    const mail = smtp.messages.find((m) => m.text?.includes('Ann Lee'))!
    const other = smtp.messages.find((m) => m !== mail)!
    expect(other.text?.split('\n').filter((l) => l.startsWith('- '))).toEqual([
      expect.stringMatching(/^- Cat <cat@initech\.com>, Initech \(\$20\/mo\): went quiet/),
    ])
    expect(mail.recipients.sort()).toEqual(['ceo@example.com', 'team@example.com'])
    expect(mail.from?.value).toEqual([{ name: 'lastseen', address: 'ls@example.com' }])
    expect(mail.subject).toMatch(/^\[lastseen\] default: history loaded before lastseen watched/)
    expect(mail.messageId).toMatch(/^<[0-9a-f]{32}@lastseen>$/)

    // The text part: each person with name, email and account, the most valuable first.
    const text = mail.text ?? ''
    expect(text).toContain('Quiet now: 3 users and 2 accounts')
    const lines = text.split('\n').filter((l) => l.startsWith('- '))
    // Acme pays most; within it, the account (two active user-days) before its users.
    expect(lines).toHaveLength(5)
    expect(lines[0]).toMatch(/^- Acme & Co \(\$490\/mo\): went quiet: last seen \S+, 20 days ago/)
    expect(lines.slice(1, 3)).toEqual([
      expect.stringMatching(/^- Ann Lee <ann@acme\.io>, Acme & Co \(\$490\/mo\): went quiet/),
      expect.stringMatching(
        /^- <script>alert\(1\)<\/script> Eve <"><img src=x>@evil\.io>, Acme & Co/,
      ),
    ])
    expect(lines.slice(3).sort()).toEqual([
      expect.stringMatching(/^- Bob <bob@initech\.com>, Initech \(\$20\/mo\): went quiet/),
      expect.stringMatching(/^- Initech \(\$20\/mo\): went quiet/),
    ])
    expect(text).toContain('Dashboard: https://lastseen.example.com/')

    // The HTML part: the same people, a mailto link for a real address, every trait escaped.
    const html = typeof mail.html === 'string' ? mail.html : ''
    expect(html).toContain('<a href="mailto:ann%40acme.io">ann@acme.io</a>')
    expect(html).toContain('Acme &amp; Co')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Eve')
    expect(html).toContain('&quot;&gt;&lt;img src=x&gt;@evil.io')
    expect(html).not.toMatch(/<script|<img/)
    expect(html).not.toContain('mailto:%22')

    // Later checks, and a second process, send nothing again.
    const b = monitor()
    await round(a, b)
    await round(a, b)
    expect(smtp.messages).toHaveLength(2)

    // Deleting a user also deletes the digests that name them; nothing is sent again.
    await forgetUser(server.storage, 'default', 'u_ann')
    expect(
      await count(
        server,
        "SELECT count() AS n FROM {db}.webhook_claims WHERE position(payload, 'ann@acme.io') > 0",
      ),
    ).toBe(0)
    await round(a, b)
    expect(smtp.messages).toHaveLength(2)
  })
})
