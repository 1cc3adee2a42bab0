/**
 * @module
 * What a notification says: the lastseen JSON body, or a Slack incoming-webhook message
 * (`LASTSEEN_WEBHOOK_FORMAT=slack`). The body is built once, when the notification is claimed,
 * and every retry sends the same bytes.
 */
import type { Traits } from '../insights/traits.js'

export type Level = 'user' | 'account'
export type Kind = 'inactive' | 'returned' | 'declining'
type NotificationType = `${Level}.${Kind}`

/** The lastseen body of a notification. */
export interface Notification {
  /** Stable for the notification: the same on every retry; receivers can dedupe on it. */
  id: string
  type: NotificationType
  /** When the notification was created (ISO 8601). */
  createdAt: string
  project: string
  /** 1 for the first time this user or account went quiet, 2 for the second, … */
  episode: number
  /** The threshold: inactive means not seen for this many milliseconds. */
  inactiveAfterMs: number
  /** For `*.declining`: what declining means (see `GET /v1/declining`). */
  declining?: { windowDays: number; baselineDays: number; drop: number }
  data: {
    userId?: string
    accountId: string | null
    /** Last seen, as of the check. */
    lastSeen: string
    /** For `*.returned`: the last seen before the quiet period. */
    inactiveSince?: string
    /** For `*.inactive`: active days and events in the 30 days ending on the last-seen day. */
    priorActivity?: { activeDays: number; events: number }
    /** For `*.declining`: active days (user-days for an account) in the window ending today. */
    recent?: number
    /** For `*.declining`: active days expected in the window from the baseline. */
    expected?: number
    /** For `*.declining`: `1 − recent / expected`. */
    drop?: number
    /** The user's or account's traits when the notification was created; `{}` when none. */
    traits: Traits
    /** For a user with an account: the account's traits (`{}` when none). */
    accountTraits?: Traits
  }
}

export type WebhookFormat = 'lastseen' | 'slack'

const DAY_MS = 86_400_000

/** UTC calendar days from one time's day to another's. */
export const calendarDays = (from: string, to: string) =>
  Math.round((Date.parse(to.slice(0, 10)) - Date.parse(from.slice(0, 10))) / DAY_MS)

/**
 * Text a client chose (ids are picked by anyone holding the public write key), escaped as Slack
 * documents for mrkdwn: `&`, `<` and `>`, so `<!channel>` or `<https://…|a link>` stay text.
 */
export const slackEscape = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')

/** Longest trait text shown in a Slack message, in characters. */
const MAX_SHOWN = 100

/** A string trait, escaped and shortened for Slack; undefined when missing or not text. */
function shown(traits: Traits | undefined, key: string): string | undefined {
  const value = traits?.[key]
  if (typeof value !== 'string' || value.trim() === '') return undefined
  const text = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value
  return slackEscape(text)
}

/** ` ($490/mo)` when the account's `mrr` trait is a number. */
export function mrrText(traits: Traits | undefined): string {
  const mrr = traits?.mrr
  if (typeof mrr !== 'number' || !Number.isFinite(mrr)) return ''
  return ` ($${mrr.toLocaleString('en-US', { maximumFractionDigits: 2 })}/mo)`
}

/**
 * Who a notification is about, by name and email when their traits say, else by id. Traits are
 * sent by anyone holding the public write key: every one is escaped, and an email is shown
 * between escaped angle brackets, so `<mailto:…|…>` in a trait stays text, never a link.
 */
function slackWho(n: Notification): string {
  const accountId = n.data.accountId === null ? null : slackEscape(n.data.accountId)
  const accountTraits = n.type.startsWith('user.') ? n.data.accountTraits : n.data.traits
  const accountName = shown(accountTraits, 'name')
  const account = accountName ? `*${accountName}*` : `*${accountId}*`
  if (!n.type.startsWith('user.')) return `Account ${account}${mrrText(accountTraits)}`
  const userId = slackEscape(n.data.userId ?? '')
  const name = shown(n.data.traits, 'name')
  const email = shown(n.data.traits, 'email')
  const label = name ? `*${name}*` : email ? '' : `*${userId}*`
  const person = [label, email ? `&lt;${email}&gt;` : ''].filter(Boolean).join(' ')
  if (accountId === null) return `User ${person}`
  return accountName
    ? `User ${person} at ${account}${mrrText(accountTraits)}`
    : `User ${person} (account ${accountId})${mrrText(accountTraits)}`
}

/** One line of Slack mrkdwn about a notification, everything a client chose escaped. */
export function slackText(n: Notification): string {
  const project = slackEscape(n.project)
  const who = slackWho(n)
  if (n.type.endsWith('.inactive')) {
    const days = calendarDays(n.data.lastSeen, n.createdAt)
    const before = n.data.priorActivity
      ? ` Active ${n.data.priorActivity.activeDays} of the 30 days before, ${n.data.priorActivity.events} events.`
      : ''
    return `:zzz: ${who} went quiet: last seen ${n.data.lastSeen.slice(0, 10)}, ${days} days ago.${before} [${project}]`
  }
  if (n.type.endsWith('.declining')) {
    const w = n.declining
    const expected = Math.round((n.data.expected ?? 0) * 10) / 10
    return `:chart_with_downwards_trend: ${who} is slipping: active ${n.data.recent} of the last ${w?.windowDays} days, ${expected} expected from the ${w?.baselineDays} before (−${Math.round((n.data.drop ?? 0) * 100)}%). Last seen ${n.data.lastSeen.slice(0, 10)}. [${project}]`
  }
  const away = calendarDays(n.data.inactiveSince ?? n.data.lastSeen, n.data.lastSeen)
  return `:wave: ${who} is back after ${away} days away. [${project}]`
}

/** The request body for `format`. */
export function renderBody(n: Notification, format: WebhookFormat): string {
  return format === 'slack' ? JSON.stringify({ text: slackText(n) }) : JSON.stringify(n)
}
