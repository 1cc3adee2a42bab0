/**
 * @module
 * A real SMTP server on 127.0.0.1 for tests (the `smtp-server` package, no TLS, no auth), which
 * parses every message it accepts with `mailparser`. It can be started on a port chosen
 * beforehand, so a test can point the service at it while it is still down.
 */
import { type ParsedMail, simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import { freePort } from '../helpers.js'

export interface SmtpReceiver {
  port: number
  url: string
  /** Every message accepted, parsed, with its envelope's recipients. */
  messages: (ParsedMail & { recipients: string[] })[]
  /** Start listening (again). */
  start(): Promise<void>
  close(): Promise<void>
}

/** An SMTP receiver, not yet listening. */
export async function smtpReceiver(): Promise<SmtpReceiver> {
  const port = await freePort()
  const messages: SmtpReceiver['messages'] = []
  let server: SMTPServer | undefined
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    async start() {
      server = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS', 'AUTH'],
        logger: false,
        onData(stream, session, callback) {
          simpleParser(stream)
            .then((mail) => {
              messages.push(
                Object.assign(mail, {
                  recipients: session.envelope.rcptTo.map((r) => r.address),
                }),
              )
              callback()
            })
            .catch(callback)
        },
      })
      await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve))
    },
    close: () => new Promise<void>((resolve) => (server ? server.close(resolve) : resolve())),
  }
}
