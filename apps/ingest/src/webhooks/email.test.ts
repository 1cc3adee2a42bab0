import { describe, expect, it } from 'vitest'
import { notificationEmail } from './email.js'
import type { Notification } from './payload.js'

const declining: Notification = {
  id: 'n1',
  type: 'user.declining',
  createdAt: '2026-11-28T10:00:00.000Z',
  project: 'default',
  episode: 1,
  inactiveAfterMs: 14 * 86_400_000,
  declining: { windowDays: 14, baselineDays: 56, drop: 0.5 },
  data: {
    userId: 'u_1',
    accountId: 'acme',
    lastSeen: '2026-11-27T12:00:00.000Z',
    recent: 2,
    expected: 13.75,
    drop: 0.85,
    traits: { name: 'Ann\r\nBcc: everyone@example.com', email: 'ann@acme.io' },
    accountTraits: { name: '<b>Acme</b>', mrr: 490 },
  },
}

describe('a notification by email', () => {
  it('names the person with email and account, escapes the HTML, keeps the subject on one line', () => {
    const email = notificationEmail(declining)
    expect(email.subject).toBe('[lastseen] Ann Bcc: everyone@example.com is slipping (default)')
    expect(email.text).toBe(
      '- Ann\r\nBcc: everyone@example.com <ann@acme.io>, <b>Acme</b> ($490/mo): is slipping: active 2 of the last 14 days, 13.8 expected; last seen 2026-11-27\n\nProject: default\n',
    )
    expect(email.html).toContain('<a href="mailto:ann%40acme.io">ann@acme.io</a>')
    expect(email.html).toContain('&lt;b&gt;Acme&lt;/b&gt; ($490/mo)')
    expect(email.html).not.toContain('<b>')
  })
})
