/**
 * @module
 * Query parameters of the read API, validated with zod. A bad parameter is a 400 that names it.
 */
import { LIMITS } from '@lastseen/protocol'
import { z } from 'zod'
import { DEFAULTS, parseDuration } from '../config.js'
import { BadParameter, describeIssue } from '../errors.js'
import { addDays, dayOf, daysBetween, FIRST_DAY, LAST_DAY } from './days.js'
import { addPeriods, type PeriodInterval, periodStart, periodsBetween } from './periods.js'

/** Longest `from`..`to` range, in days. */
const MAX_RANGE_DAYS = 731

/** Longest `after` of `GET /v1/inactive`: ten years. */
const MAX_AFTER_DAYS = 3650

/** Largest `offset` of a paginated list. */
const MAX_OFFSET = 1_000_000

/** Longest `window` of `GET /v1/declining`, in days: a year. */
const MAX_WINDOW_DAYS = 365

/** Longest `baseline` of `GET /v1/declining`, in days: ten years. */
const MAX_BASELINE_DAYS = 3650

/** Most periods of `GET /v1/lifecycle` and cohorts of `GET /v1/retention`. */
export const MAX_PERIODS = 120

const day = z.iso
  .date({ message: 'must be a date such as 2026-11-01 (UTC)' })
  .refine((d) => d >= FIRST_DAY && d <= LAST_DAY, `must be a day from ${FIRST_DAY} to ${LAST_DAY}`)
const id = z.string().min(1).max(LIMITS.maxNameLength)

const idMessage = `must be 1 to ${LIMITS.maxNameLength} characters`

/** A user or account id in a path (`/v1/users/:userId`). */
export const pathId = z.string().min(1, idMessage).max(LIMITS.maxNameLength, idMessage)

/** Check the path parameter `name`, or throw `BadParameter` naming it. */
export function parsePathId(name: string, value: string): string {
  if (pathId.safeParse(value).success) return value
  throw new BadParameter(`${name}: ${idMessage}`)
}

/** A whole number from `min` to `max`; every refusal names the range. */
const wholeNumber = (min: number, max: number, unit = '') => {
  const message = `must be a whole number${unit} from ${min} to ${max}`
  return z.coerce.number({ message }).int(message).min(min, message).max(max, message)
}

/** `from`/`to` days, defaulting to the 30 days ending today (UTC). */
const range = {
  from: day.optional().describe('First day of the range (UTC); default: 29 days before `to`.'),
  to: day.optional().describe('Last day of the range (UTC); default: today.'),
}

export const activeQuery = z.object({
  ...range,
  interval: z
    .enum(['day', 'week', 'month'], { message: "must be 'day', 'week' or 'month'" })
    .default('day')
    .describe('Bucket of the series; `wau` and `mau` come with `day` only.'),
})

export const eventsQuery = z.object({
  ...range,
  userId: id.optional().describe('Only the events of this user.'),
  accountId: id.optional().describe('Only the events of the users whose latest account this is.'),
})

export const frequencyQuery = z.object({
  to: day.optional().describe('Last day of the window (UTC); default: today.'),
  weeks: wholeNumber(1, 52, ' of weeks').default(4).describe('Length of the window in weeks.'),
  accountId: id.optional().describe('Only the users whose latest account this is.'),
})

const duration = z
  .string()
  .regex(/^\d{1,9}(m|h|d)$/, `must be a duration from 1m to ${MAX_AFTER_DAYS}d, such as 12h or 14d`)
  .transform(parseDuration)
  .refine(
    (ms) => ms > 0 && ms <= MAX_AFTER_DAYS * 86_400_000,
    `must be a duration from 1m to ${MAX_AFTER_DAYS}d`,
  )

/** A whole number of days such as `14d`, from 1 to `max`; the answer is in days. */
const days = (max: number) => {
  const message = `must be a number of days from 1d to ${max}d, such as 14d`
  return z
    .string()
    .regex(/^\d{1,5}d$/, message)
    .transform((s) => Number(s.slice(0, -1)))
    .refine((n) => n >= 1 && n <= max, message)
}

/** `limit` and `offset` of a paginated list. */
const pagination = {
  limit: wholeNumber(1, 1000).default(50).describe('Items per page.'),
  offset: wholeNumber(0, MAX_OFFSET)
    .default(0)
    .describe('Items to skip (`nextOffset` of the previous page).'),
}

const level = z
  .enum(['user', 'account'], { message: "must be 'user' or 'account'" })
  .default('user')
  .describe('List users or accounts.')

export const decliningQuery = z.object({
  level,
  window: days(MAX_WINDOW_DAYS)
    .default(DEFAULTS.decliningWindowDays)
    .describe(
      `The recent window in days, ending today (such as \`14d\`); default: ${DEFAULTS.decliningWindowDays}d.`,
    ),
  baseline: days(MAX_BASELINE_DAYS)
    .default(DEFAULTS.decliningBaselineDays)
    .describe(
      `The days right before the window to compare with; default: ${DEFAULTS.decliningBaselineDays}d.`,
    ),
  drop: z.coerce
    .number({ message: 'must be a number greater than 0 and at most 1, such as 0.5' })
    .gt(0, 'must be a number greater than 0 and at most 1, such as 0.5')
    .max(1, 'must be a number greater than 0 and at most 1, such as 0.5')
    .default(DEFAULTS.decliningDrop)
    .describe('The least drop from the expected active days, greater than 0 and at most 1.'),
  ...pagination,
})

const periodInterval = z
  .enum(['week', 'month'], { message: "must be 'week' or 'month'" })
  .default('week')
  .describe('Periods: weeks from Monday, or months (UTC).')

export const lifecycleQuery = z.object({
  from: range.from.describe(
    `A day of the first period (UTC); default: ${DEFAULTS.lifecyclePeriods} periods ending with the one holding \`to\`.`,
  ),
  to: range.to.describe('A day of the last period (UTC); default: today.'),
  interval: periodInterval,
})

export const retentionQuery = z.object({
  interval: periodInterval,
  cohorts: wholeNumber(1, MAX_PERIODS, ' of cohorts')
    .default(DEFAULTS.retentionCohorts)
    .describe('How many cohorts, ending with the period holding today.'),
})

/** The fields of `GET /v1/inactive` (the dashboard's lists pick from them). */
export const inactiveFields = z.object({
  level,
  after: duration
    .optional()
    .describe(
      'Quiet for longer than this (such as `12h`, `14d`); default: `LASTSEEN_INACTIVE_AFTER`.',
    ),
  sort: z
    .enum(['last_seen', 'first_seen', 'active_days', 'events', 'mrr'], {
      message: "must be 'last_seen', 'first_seen', 'active_days', 'events' or 'mrr'",
    })
    .default('last_seen')
    .describe(
      'Sort key; `active_days` and `events` are of the 30 days ending on the last-seen day; `mrr` (the `mrr` trait, largest first when `desc`) sorts accounts only.',
    ),
  order: z
    .enum(['asc', 'desc'], { message: "must be 'asc' or 'desc'" })
    .default('desc')
    .describe('Sort order.'),
  ...pagination,
})

export const inactiveQuery = inactiveFields.refine(
  (q) => q.sort !== 'mrr' || q.level === 'account',
  {
    path: ['sort'],
    message: "'mrr' (an account trait) sorts accounts only: use it with level=account",
  },
)

/** `GET /v1/users` and `GET /v1/accounts`: find by id prefix, email or name. */
export const searchQuery = z.object({
  search: z
    .string({ message: `must be 1 to ${LIMITS.maxNameLength} characters` })
    .min(1, `must be 1 to ${LIMITS.maxNameLength} characters`)
    .max(LIMITS.maxNameLength, `must be 1 to ${LIMITS.maxNameLength} characters`)
    .describe(
      'Text to find: an id starting with it, or an `email` or `name` trait containing it (ignoring case).',
    ),
  ...pagination,
})

/** Parse `query` with `schema`, or throw `BadParameter` naming the first bad parameter. */
export function parseQuery<S extends z.ZodType>(
  schema: S,
  query: Record<string, string>,
): z.output<S> {
  const parsed = schema.safeParse(query)
  if (parsed.success) return parsed.data
  throw new BadParameter(describeIssue(parsed.error, 'query'))
}

/** Resolve optional `from`/`to` into a checked range; the default is the 30 days ending today. */
export function resolveRange(
  q: { from?: string | undefined; to?: string | undefined },
  now: number,
  defaultDays = 30,
): { from: string; to: string } {
  const to = q.to ?? dayOf(now)
  const from = q.from ?? addDays(to, -(defaultDays - 1))
  if (from > to) throw new BadParameter(`from: ${from} is after to (${to})`)
  if (daysBetween(from, to) > MAX_RANGE_DAYS) {
    throw new BadParameter(`from: range is over ${MAX_RANGE_DAYS} days`)
  }
  return { from, to }
}

/**
 * Resolve optional `from`/`to` into the periods holding them: the first day of the first
 * period, the first day of the last, and how many there are (at most {@link MAX_PERIODS}). The
 * default is the `DEFAULTS.lifecyclePeriods` periods ending with the one holding today.
 */
export function resolvePeriods(
  q: { from?: string | undefined; to?: string | undefined },
  interval: PeriodInterval,
  now: number,
): { first: string; last: string; count: number; from: string; to: string } {
  const to = q.to ?? dayOf(now)
  const last = periodStart(to, interval)
  const from = q.from ?? addPeriods(last, -(DEFAULTS.lifecyclePeriods - 1), interval)
  if (from > to) throw new BadParameter(`from: ${from} is after to (${to})`)
  const first = periodStart(from, interval)
  const count = periodsBetween(first, last, interval)
  if (count > MAX_PERIODS) {
    throw new BadParameter(`from: the range holds ${count} ${interval}s, over ${MAX_PERIODS}`)
  }
  return { first, last, count, from, to }
}
