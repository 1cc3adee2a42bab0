import { describe, expect, it } from 'vitest'
import { digestOf } from './digest.js'
import type { Notification } from './payload.js'
import { slackDigest } from './slack-digest.js'

const quiet = (i: number, name: string): Notification => ({
  id: `n${String(i).padStart(4, '0')}`,
  type: 'user.inactive',
  createdAt: '2026-11-28T10:00:00.000Z',
  project: 'default',
  episode: 1,
  inactiveAfterMs: 14 * 86_400_000,
  data: {
    userId: `u_${i}`,
    accountId: 'acme',
    lastSeen: '2026-11-01T12:00:00.000Z',
    priorActivity: { activeDays: i % 30, events: 0 },
    traits: { name, email: `u${i}@acme.io` },
    accountTraits: { name: 'Acme', mrr: i },
  },
})

type Block = { type: string; text?: { text: string }; elements?: { text: string }[] }

describe('a digest in Slack', () => {
  it("stays within Slack's limits for a large digest: 50 blocks, 3,000 characters a section", () => {
    const members = Array.from({ length: 400 }, (_, i) => quiet(i, `Name ${'x'.repeat(90)} ${i}`))
    const digest = digestOf(
      members,
      {
        id: 'd1',
        reason: 'cap',
        createdAt: '2026-11-28T10:00:00.000Z',
        project: 'default',
        dashboardUrl: 'https://lastseen.example.com/',
      },
      400,
    )
    const body = JSON.parse(slackDigest(digest)) as { text: string; blocks: Block[] }
    expect(body.blocks.length).toBeLessThanOrEqual(50)
    const texts = body.blocks.flatMap((b) => [
      b.text?.text ?? '',
      ...(b.elements ?? []).map((e) => e.text),
    ])
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(3000)
    expect(texts.join('').length).toBeLessThanOrEqual(13_000)
    const shown = texts.join('\n').match(/went quiet: last seen/g)?.length ?? 0
    expect(shown).toBeGreaterThan(10)
    const tail = body.blocks.at(-1)?.elements?.[0]?.text ?? ''
    expect(tail).toBe(
      `and ${400 - shown} more · <https://lastseen.example.com/|Open the dashboard>`,
    )
    // The most valuable first.
    expect(texts[1]).toMatch(/^:zzz: User \*Name x+ 399\*/)
  })

  it('escapes what users chose, in the headline and every line', () => {
    const digest = digestOf(
      [quiet(1, '<!channel> & <https://evil.example|click>')],
      { id: 'd2', reason: 'scheduled', createdAt: '2026-11-28T10:00:00.000Z', project: 'default' },
      10,
    )
    const body = slackDigest(digest)
    expect(body).not.toMatch(/<!channel>|<https:/)
    expect(body).toContain('&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;')
  })
})
