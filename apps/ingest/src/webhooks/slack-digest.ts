/**
 * @module
 * A digest as a Slack incoming-webhook message: a headline with the counts, then the most
 * valuable episodes, one line each (escaped like single notifications), in as few section
 * blocks as they fit. Slack refuses a message of more than 50 blocks or a section text of more
 * than 3,000 characters, and in practice a message whose blocks hold more than about 13,000
 * characters; lines that do not fit are counted in "and N more", with the dashboard's link.
 */
import type { Digest, LevelCounts } from './digest.js'
import { slackEscape, slackText } from './payload.js'

/** Slack's longest text of a section block, in characters. */
const SLACK_MAX_SECTION = 3000
/** Characters of block text we send at most (Slack's practical limit is near 13,000). */
const SLACK_MAX_TOTAL = 12_000

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

/** `3 users and 1 account` (parts that are zero left out); empty when both are. */
export function whoCount(c: LevelCounts): string {
  return [
    c.users > 0 ? plural(c.users, 'user', 'users') : '',
    c.accounts > 0 ? plural(c.accounts, 'account', 'accounts') : '',
  ]
    .filter(Boolean)
    .join(' and ')
}

/** `20 users went quiet, 1 account is slipping, 2 users are back`, or `nothing changed`. */
export function changesText(d: Digest): string {
  const parts = [
    [whoCount(d.counts.quiet), 'went quiet'],
    [whoCount(d.counts.slipping), 'began slipping'],
    [whoCount(d.counts.returned), 'came back'],
  ]
    .filter(([who]) => who)
    .map(([who, what]) => `${who} ${what}`)
  return parts.length > 0 ? parts.join(', ') : 'nothing changed'
}

/** The first line of a digest, in every format (plain text; Slack escapes it). */
export function headline(d: Digest): string {
  if (d.reason === 'backfill' && d.totals) {
    const quiet = whoCount(d.totals.quiet) || 'no one'
    const slipping = whoCount(d.totals.slipping) || 'no one'
    return `${d.project}: history loaded before lastseen watched. Quiet now: ${quiet}; slipping: ${slipping}. Recorded without a message each: ${changesText(d)}.`
  }
  const count = d.top.length + d.more
  if (d.reason === 'cap') {
    return `${d.project}: ${plural(count, 'change', 'changes')} at once: ${changesText(d)}.`
  }
  return `${d.project} digest: ${changesText(d)}.`
}

const EMOJI = { backfill: ':inbox_tray:', cap: ':bell:', scheduled: ':calendar:' } as const

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } })

/** The Slack body of a digest. */
export function slackDigest(d: Digest): string {
  const head = `${EMOJI[d.reason]} ${slackEscape(headline(d))}`.slice(0, SLACK_MAX_SECTION)
  const blocks: object[] = [section(head)]
  const lines = d.top.map((n) => slackText(n).slice(0, SLACK_MAX_SECTION))
  let total = head.length
  let shown = 0
  let text = ''
  // Slack's 50 blocks are never reached: a section is flushed only when the next line would
  // not fit, so two sections hold more than 3,000 characters, and 12,000 make at most 8.
  const flush = () => {
    if (text) blocks.push(section(text))
    text = ''
  }
  for (const line of lines) {
    if (total + line.length + 1 > SLACK_MAX_TOTAL) break
    if (text && text.length + 1 + line.length > SLACK_MAX_SECTION) flush()
    text = text ? `${text}\n${line}` : line
    total += line.length + 1
    shown++
  }
  flush()
  const more = lines.length - shown + d.more
  const link = d.dashboardUrl ? `<${d.dashboardUrl}|Open the dashboard>` : ''
  const tail = [more > 0 ? `and ${more} more` : '', link].filter(Boolean).join(' · ')
  if (tail) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: tail }] })
  return JSON.stringify({ text: head, blocks })
}
