/**
 * @module
 * The bytes a claim stores and every retry sends, for each format: lastseen JSON, Slack, and
 * email (subject, text and HTML, as JSON).
 */
import type { Digest } from './digest.js'
import { digestEmail, notificationEmail } from './email.js'
import { type Notification, renderBody, type WebhookFormat } from './payload.js'
import { slackDigest } from './slack-digest.js'

/** Where a notification goes: the webhook (in its format) or email. */
export type Channel = 'webhook' | 'email'

export type MessageFormat = WebhookFormat | 'email'

export function renderMessage(m: Notification | Digest, format: MessageFormat): string {
  if (m.type === 'digest') {
    if (format === 'slack') return slackDigest(m)
    return format === 'email' ? JSON.stringify(digestEmail(m)) : JSON.stringify(m)
  }
  return format === 'email' ? JSON.stringify(notificationEmail(m)) : renderBody(m, format)
}
