/**
 * @module
 * Query parameters of the read API, validated with zod. A bad parameter is a 400 that names it.
 */
import { z } from 'zod'
import { parseDuration } from '../env.js'
import { ApiError } from '../http-error.js'
import { addDays, dayOf, daysBetween } from './days.js'

/** Longest `from`..`to` range, in days. */
export const MAX_RANGE_DAYS = 731

const day = z.iso.date({ message: 'must be a date such as 2026-11-01 (UTC)' })
const id = z.string().min(1).max(200)

/** `from`/`to` days, defaulting to the 30 days ending today (UTC). */
const range = {
  from: day.optional(),
  to: day.optional(),
}

export const activeQuery = z.object({
  ...range,
  interval: z
    .enum(['day', 'week', 'month'], { message: "must be 'day', 'week' or 'month'" })
    .default('day'),
})

export const eventsQuery = z.object({
  ...range,
  userId: id.optional(),
  accountId: id.optional(),
})

export const frequencyQuery = z.object({
  to: day.optional(),
  weeks: z.coerce
    .number({ message: 'must be a whole number of weeks' })
    .int('must be a whole number of weeks')
    .min(1, 'must be at least 1')
    .max(52, 'must be at most 52')
    .default(4),
  accountId: id.optional(),
})

const duration = z
  .string()
  .regex(/^\d+(m|h|d)$/, 'must be a duration such as 30m, 12h or 14d')
  .transform(parseDuration)
  .refine((ms) => ms > 0, 'must be longer than zero')

export const inactiveQuery = z.object({
  level: z.enum(['user', 'account'], { message: "must be 'user' or 'account'" }).default('user'),
  after: duration.optional(),
  sort: z
    .enum(['last_seen', 'first_seen', 'active_days', 'events'], {
      message: "must be 'last_seen', 'first_seen', 'active_days' or 'events'",
    })
    .default('last_seen'),
  order: z.enum(['asc', 'desc'], { message: "must be 'asc' or 'desc'" }).default('desc'),
  limit: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1000, 'must be at most 1000')
    .default(50),
  offset: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must not be negative')
    .default(0),
})

/** Parse `query` with `schema`, or throw a 400 naming the first bad parameter. */
export function parseQuery<S extends z.ZodType>(
  schema: S,
  query: Record<string, string>,
): z.output<S> {
  const parsed = schema.safeParse(query)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const name = issue?.path.join('.') || 'query'
  throw new ApiError(400, 'bad_request', `${name}: ${issue?.message ?? 'invalid'}`)
}

/** Resolve optional `from`/`to` into a checked range; the default is the 30 days ending today. */
export function resolveRange(
  q: { from?: string | undefined; to?: string | undefined },
  now: number,
  defaultDays = 30,
): { from: string; to: string } {
  const to = q.to ?? dayOf(now)
  const from = q.from ?? addDays(to, -(defaultDays - 1))
  if (from > to) throw new ApiError(400, 'bad_request', `from: ${from} is after to (${to})`)
  if (daysBetween(from, to) > MAX_RANGE_DAYS) {
    throw new ApiError(400, 'bad_request', `from: range is over ${MAX_RANGE_DAYS} days`)
  }
  return { from, to }
}
