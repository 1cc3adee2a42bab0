/**
 * @module
 * Notifications and digests as email: a subject, a text part and an HTML part. Each person is
 * listed with name, email and account from their traits, so the reader can write to them from
 * the mail. Traits and ids are chosen by anyone holding the public write key: in the HTML part
 * every one is escaped, and an email trait becomes a `mailto:` link only when it looks like an
 * address.
 */
import type { Traits } from '../insights/traits.js'
import type { Digest } from './digest.js'
import { calendarDays, type Notification } from './payload.js'
import { headline } from './slack-digest.js'

/** What the email channel stores as a claim's payload and sends. */
export interface Email {
  subject: string
  text: string
  html: string
}

const escapeHtml = (text: string) =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')

/** A header stays on one line, whatever a trait holds. */
const oneLine = (text: string) => text.replace(/[\r\n\t]+/g, ' ').slice(0, 200)

const ADDRESS = /^[^\s@<>"'()]+@[^\s@<>"'()]+\.[^\s@<>"'()]+$/

const text = (traits: Traits | undefined, key: string) => {
  const v = traits?.[key]
  return typeof v === 'string' && v.trim() !== '' ? v.slice(0, 200) : undefined
}

/** Who a notification is about, from its traits. */
interface Person {
  name: string
  email?: string
  account?: string
  mrr?: number
}

function personOf(n: Notification): Person {
  const user = n.type.startsWith('user.')
  const accountTraits = user ? n.data.accountTraits : n.data.traits
  const accountName = text(accountTraits, 'name') ?? n.data.accountId ?? undefined
  const mrr = accountTraits?.mrr
  const email = user ? text(n.data.traits, 'email') : undefined
  return {
    name: user ? (text(n.data.traits, 'name') ?? n.data.userId ?? '') : (accountName ?? ''),
    ...(email ? { email } : {}),
    ...(user && accountName ? { account: accountName } : {}),
    ...(typeof mrr === 'number' && Number.isFinite(mrr) ? { mrr } : {}),
  }
}

/** What happened, in plain words (no client-chosen text). */
function what(n: Notification): string {
  const seen = n.data.lastSeen.slice(0, 10)
  if (n.type.endsWith('.inactive')) {
    const p = n.data.priorActivity
    const before = p ? `; active ${p.activeDays} of the 30 days before` : ''
    return `went quiet: last seen ${seen}, ${calendarDays(n.data.lastSeen, n.createdAt)} days ago${before}`
  }
  if (n.type.endsWith('.declining')) {
    const expected = Math.round((n.data.expected ?? 0) * 10) / 10
    return `is slipping: active ${n.data.recent} of the last ${n.declining?.windowDays} days, ${expected} expected; last seen ${seen}`
  }
  const away = calendarDays(n.data.inactiveSince ?? n.data.lastSeen, n.data.lastSeen)
  return `came back after ${away} days away`
}

const mrrText = (p: Person) =>
  p.mrr === undefined ? '' : ` ($${p.mrr.toLocaleString('en-US', { maximumFractionDigits: 2 })}/mo)`

function textLine(n: Notification): string {
  const p = personOf(n)
  const email = p.email ? ` <${p.email}>` : ''
  const account = p.account
    ? `, ${p.account}${mrrText(p)}`
    : n.type.startsWith('account.')
      ? mrrText(p)
      : ''
  return `- ${p.name}${email}${account}: ${what(n)}`
}

function htmlRow(n: Notification): string {
  const p = personOf(n)
  const email = p.email
    ? ADDRESS.test(p.email)
      ? `<a href="mailto:${encodeURIComponent(p.email)}">${escapeHtml(p.email)}</a>`
      : escapeHtml(p.email)
    : ''
  const account = p.account ?? (n.type.startsWith('account.') ? p.name : '')
  return `<tr><td>${escapeHtml(p.name)}</td><td>${email}</td><td>${escapeHtml(account)}${escapeHtml(mrrText(p))}</td><td>${escapeHtml(what(n))}</td></tr>`
}

const table = (rows: string[]) =>
  rows.length === 0
    ? ''
    : `<table cellpadding="4" style="border-collapse:collapse"><tr><th align="left">Who</th><th align="left">Email</th><th align="left">Account</th><th align="left">What</th></tr>${rows.join('')}</table>`

const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`

/** The email for a single notification. */
export function notificationEmail(n: Notification): Email {
  const p = personOf(n)
  const subject = oneLine(`[lastseen] ${p.name} ${what(n).split(':')[0]} (${n.project})`)
  return {
    subject,
    text: `${textLine(n)}\n\nProject: ${n.project}\n`,
    html: page(subject, `<p>Project: ${escapeHtml(n.project)}</p>${table([htmlRow(n)])}`),
  }
}

/** The email for a digest: the headline, every listed episode, "and N more", the dashboard. */
export function digestEmail(d: Digest): Email {
  const head = headline(d)
  const subject = oneLine(`[lastseen] ${head}`)
  const more = d.more > 0 ? `and ${d.more} more` : ''
  const link = d.dashboardUrl ?? ''
  const text = [head, '', ...d.top.map(textLine), more, link ? `Dashboard: ${link}` : '']
    .filter((l, i) => l !== '' || i === 1)
    .join('\n')
  const html = page(
    subject,
    [
      `<p>${escapeHtml(head)}</p>`,
      table(d.top.map(htmlRow)),
      more ? `<p>${escapeHtml(more)}</p>` : '',
      link ? `<p><a href="${escapeHtml(link)}">Open the dashboard</a></p>` : '',
    ].join(''),
  )
  return { subject, text: `${text}\n`, html }
}
