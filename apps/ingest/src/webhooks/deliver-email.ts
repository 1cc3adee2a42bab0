/**
 * @module
 * Sending one notification by email through SMTP (nodemailer), retried with exponential backoff
 * like a webhook: a connection failure, a timeout or a temporary (4xx) SMTP reply is retried; a
 * permanent (5xx) reply is a refusal that retrying cannot fix. The Message-ID is derived from
 * the notification's id, the same on every attempt.
 */
import nodemailer from 'nodemailer'
import type { DeliveryOutcome } from './deliver.js'
import type { Email } from './email.js'

export interface EmailChannel {
  /** `LASTSEEN_SMTP_URL`. */
  smtpUrl: string
  /** `LASTSEEN_NOTIFY_EMAIL`. */
  to: string[]
  /** `LASTSEEN_NOTIFY_FROM`. @default `DEFAULTS.notifyFrom` */
  from: string
}

export interface EmailDeliveryOptions {
  attempts?: number
  backoffMs?: number
  timeoutMs?: number
  signal?: AbortSignal
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    const stop = () => {
      clearTimeout(timer)
      resolve()
    }
    signal?.addEventListener('abort', stop, { once: true })
  })

/** Send `payload` (an {@link Email} as JSON) until accepted, refused or attempts run out. */
export async function deliverEmail(
  id: string,
  payload: string,
  channel: EmailChannel,
  options: EmailDeliveryOptions = {},
): Promise<DeliveryOutcome> {
  const { attempts = 5, backoffMs = 1000, timeoutMs = 10_000, signal } = options
  const email = JSON.parse(payload) as Email
  const transport = nodemailer.createTransport(channel.smtpUrl, {
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  } as object)
  try {
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (signal?.aborted) return 'later'
      if (attempt > 0) await sleep(backoffMs * 2 ** (attempt - 1), signal)
      if (signal?.aborted) return 'later'
      try {
        await transport.sendMail({
          from: channel.from,
          to: channel.to,
          subject: email.subject,
          text: email.text,
          html: email.html,
          messageId: `<${id}@lastseen>`,
        })
        return 'delivered'
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode
        if (typeof code === 'number' && code >= 500 && code < 600) return 'refused'
      }
    }
    return 'later'
  } finally {
    transport.close()
  }
}
