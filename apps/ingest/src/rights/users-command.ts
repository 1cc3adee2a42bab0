/**
 * @module
 * `lastseen-ingest users delete | export`: the data-rights API from the command line, through the
 * same code as `DELETE /v1/users/:userId` and `GET /v1/users/:userId/export`.
 */
import { parseArgs } from 'node:util'
import { NotFound } from '../errors.js'
import { dayOf } from '../insights/days.js'
import { parsePathId } from '../insights/params.js'
import { userProfile } from '../insights/users.js'
import { PROJECT_ID } from '../keys/admin.js'
import { UsageError } from '../keys/keys-command.js'
import type { Storage } from '../storage/client.js'
import { StorageOpenError } from '../storage/client.js'
import { forgetUser } from '../storage/forget-user.js'
import { exportUser } from './export.js'

export const USERS_HELP = `lastseen-ingest users — delete or export what is stored about a user

Usage:
  lastseen-ingest users delete <userId> --project <id>
      remove the user's events and every figure that counts them; every answer afterwards
      is as if the user had never been tracked
  lastseen-ingest users export <userId> --project <id>
      print everything stored about the user as lines of JSON (NDJSON)

The project of the default keys is named "default". On the embedded store the service must be
stopped first (the store serves one process); while it runs, send DELETE /v1/users/<userId>
or GET /v1/users/<userId>/export with an admin key (lsa_…) instead.`

/** Run `users …` with `args` (after the word `users`); returns the exit code. */
export async function usersCommand(args: string[], open: () => Promise<Storage>): Promise<number> {
  const [action, ...rest] = args
  if (!action || action === '--help' || action === '-h' || action === 'help') {
    console.log(USERS_HELP)
    return 0
  }
  if (action !== 'delete' && action !== 'export') {
    throw new UsageError(`unknown users command: ${action}`)
  }
  const { values, positionals } = parseOptions(rest)
  const userId = positionals[0]
  if (!userId || positionals.length > 1) throw new UsageError(`users ${action} needs one user id`)
  try {
    parsePathId('userId', userId)
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  const project = values.project
  if (!project || !PROJECT_ID.test(project)) {
    throw new UsageError(
      `users ${action} needs --project <id> (the default keys' project is "default")`,
    )
  }
  const storage = await openBusy(open, action, userId)
  try {
    if (action === 'delete') {
      const done = await forgetUser(storage, project, userId)
      console.log(
        `deleted user ${JSON.stringify(userId)} of project ${project} ` +
          `(event totals of ${done.days} days and ${done.accounts} accounts computed again)`,
      )
      return 0
    }
    const profile = await userProfile(storage, project, userId, dayOf(Date.now()))
    if (!profile) throw new NotFound(`no user ${JSON.stringify(userId)}`)
    for await (const line of exportUser(storage, project, profile)) {
      if (!process.stdout.write(`${JSON.stringify(line)}\n`)) {
        await new Promise((resolve) => process.stdout.once('drain', resolve))
      }
    }
    return 0
  } finally {
    await storage.close()
  }
}

/** Open the store; a store held by a running service gets what to do instead. */
async function openBusy(open: () => Promise<Storage>, action: string, userId: string) {
  try {
    return await open()
  } catch (err) {
    if (!(err instanceof StorageOpenError)) throw err
    const request =
      action === 'delete'
        ? `DELETE /v1/users/${encodeURIComponent(userId)}`
        : `GET /v1/users/${encodeURIComponent(userId)}/export`
    throw new StorageOpenError(
      `${err.message}; while the service runs, send ${request} to it with an admin key ` +
        '(Authorization: Bearer lsa_…), or stop it and run this command again',
      { cause: err },
    )
  }
}

function parseOptions(args: string[]) {
  try {
    return parseArgs({ args, allowPositionals: true, options: { project: { type: 'string' } } })
  } catch (err) {
    // parseArgs explains at length how to pass a value that starts with '-': one line is enough.
    const message = (err as Error).message.split('. ')[0] ?? ''
    throw new UsageError(`users: ${message.replace(/^Unknown option/, 'unknown option')}`)
  }
}
