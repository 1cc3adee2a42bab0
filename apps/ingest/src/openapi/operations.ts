/**
 * @module
 * Every operation the service answers, one entry each: the table the OpenAPI document
 * (`GET /openapi.json`, docs/openapi.json) is generated from. A test holds it to the app's
 * routes both ways, and checks real answers against the schemas named here; adding a route
 * means adding its entry. Details of each route are in docs/api.md.
 */
import { LIMITS } from '@lastseen/protocol'
import { z } from 'zod'
import {
  batchRequestSchema,
  batchResponseSchema,
  trackRequestSchema,
} from '../ingest/validation.js'
import { accountProfileSchema } from '../insights/accounts.js'
import { activeAnswerSchema } from '../insights/active.js'
import { decliningAnswerSchema } from '../insights/declining.js'
import { eventsAnswerSchema } from '../insights/events.js'
import { frequencyAnswerSchema } from '../insights/frequency.js'
import { inactiveAnswerSchema } from '../insights/inactive.js'
import { lifecycleAnswerSchema } from '../insights/lifecycle.js'
import {
  activeQuery,
  decliningQuery,
  eventsQuery,
  frequencyQuery,
  inactiveQuery,
  lifecycleQuery,
  pathId,
  retentionQuery,
  searchQuery,
  summaryQuery,
} from '../insights/params.js'
import { retentionAnswerSchema } from '../insights/retention.js'
import { searchAnswerSchema } from '../insights/search.js'
import { summaryAnswerSchema } from '../insights/summary.js'
import { userProfileSchema } from '../insights/users.js'
import { healthAnswerSchema, readyAnswerSchema } from '../ops/health.js'
import { exportLineSchema } from '../rights/export.js'
import { deletedAnswerSchema } from '../rights/routes.js'
import {
  SEGMENT_TYPES,
  SHORT_PATHS,
  segmentBatchRequestSchema,
  segmentMessageRequestSchema,
  segmentSuccessSchema,
} from '../wires/segment/schema.js'
import { type Operation, operation } from './operation.js'

const userId = pathId.describe('The id the SDK sent as `userId`.')
const accountId = pathId.describe('The id the SDK sent as `accountId`.')

/** The body of `POST /v1/batch`: lastseen's own batch, or Segment's. */
export const batchBodySchema = z.union([batchRequestSchema, segmentBatchRequestSchema])

/** The body of `POST /v1/track`: lastseen's own event, or one Segment message. */
export const trackBodySchema = z.union([trackRequestSchema, segmentMessageRequestSchema])

/** The `200` of a path both wires share: lastseen's counts, or Segment's `{ "success": true }`. */
export const sharedAnswerSchema = z.union([batchResponseSchema, segmentSuccessSchema])

/** Answers of a path both wires share. */
const storedEitherWire = {
  200: {
    json: sharedAnswerSchema,
    description:
      'Stored (exactly once): lastseen\'s counts, or `{ "success": true }` in Segment\'s wire.',
  },
}

/** Answers of Segment's own routes. */
const storedSegment = {
  200: {
    json: segmentSuccessSchema,
    description:
      'Stored (exactly once), or not stored by design: a message without `userId` (anonymous), an alias.',
  },
}

/** How the shared paths tell Segment's wire from lastseen's own. */
const SEGMENT_DISPATCH =
  'Also Segment\'s HTTP tracking API (docs/migrate.md): a request is Segment\'s when it sends `Authorization: Basic`, or no `Authorization` and a body (or a message of its `batch`) with `messageId` or `anonymousId`; it is answered `{ "success": true }`.'

/** One of Segment's routes: one message, or a batch of them. */
const segmentRoute = (
  path: string,
  summary: string,
  description: string,
  body: z.ZodType = segmentMessageRequestSchema,
) =>
  operation({
    method: 'post',
    path,
    tag: 'write',
    summary,
    description: `${description} Segment's HTTP tracking API, for its clients (docs/migrate.md): the write key as the user name of \`Authorization: Basic\` (empty password), or \`writeKey\` in the body; the event id is derived from \`messageId\`, so a message sent again is stored once. A refused message is a \`400\` (or \`413\`).`,
    auth: 'write',
    body,
    bodyTypes: writeBodyTypes,
    answers: storedSegment,
    errors: [...writeBodyErrors],
  })

/** A write body is JSON, also sent as `text/plain` (sendBeacon, fetch without a preflight). */
const writeBodyTypes = ['application/json', 'text/plain']

/** Errors of reading a write body. */
const writeBodyErrors = [
  'bad_request',
  'invalid_json',
  'payload_too_large',
  'unsupported_media_type',
] as const

/** The forms' media types. */
const formTypes = ['application/x-www-form-urlencoded', 'multipart/form-data']

const toSignIn = {
  303: { redirect: true, description: 'Signed out: to the sign-in page `/`.' },
} as const

/** The two dashboard forms refuse posts from other sites, and bodies over 4 KB. */
const form = {
  403: { html: true, description: 'Posted from another site: a page saying so; nothing changed.' },
} as const

export const operations: Operation[] = [
  operation({
    method: 'post',
    path: '/v1/batch',
    tag: 'write',
    summary: 'Store a batch of events',
    description: `Events (\`track\`, \`seen\`, and \`identify\` or \`group\` with traits) are checked one by one; the answer comes once the valid ones are stored. Sent again (same \`id\`), an event counts as a duplicate, never twice. The body may be \`application/json\` or \`text/plain\` (sendBeacon), optionally \`Content-Encoding: gzip\`, at most ${LIMITS.maxRequestBytes / 1024 ** 2} MB before and after decompression. ${SEGMENT_DISPATCH}`,
    auth: 'write',
    body: batchBodySchema,
    bodyTypes: writeBodyTypes,
    answers: storedEitherWire,
    errors: [...writeBodyErrors],
  }),
  operation({
    method: 'post',
    path: '/v1/track',
    tag: 'write',
    summary: 'Store one event',
    description: `One event, for curl and simple clients; same body rules, keys and storage as \`POST /v1/batch\`, but a bad event is a \`400\` (or \`413\`) rather than an entry in \`rejected\`. ${SEGMENT_DISPATCH}`,
    auth: 'write',
    body: trackBodySchema,
    bodyTypes: writeBodyTypes,
    answers: storedEitherWire,
    errors: [...writeBodyErrors],
  }),
  segmentRoute(
    '/v1/identify',
    "Set a user's traits (Segment)",
    'A Segment `identify`: its `traits` become the traits of `userId`.',
  ),
  segmentRoute(
    '/v1/group',
    "Set an account's traits (Segment)",
    'A Segment `group`: its `traits` become the traits of the account `groupId`.',
  ),
  segmentRoute(
    '/v1/page',
    'Store a page view (Segment)',
    'A Segment `page`: a `track` event named `page`, with `name` (and `category`) in its properties.',
  ),
  segmentRoute(
    '/v1/screen',
    'Store a screen view (Segment)',
    'A Segment `screen`: a `track` event named `screen`, with `name` (and `category`) in its properties.',
  ),
  segmentRoute(
    '/v1/alias',
    'Accept an alias (Segment)',
    'A Segment `alias`: accepted and counted in `/metrics`, but users are not merged.',
  ),
  // The short paths of analytics.js, Segment's browser library.
  ...SEGMENT_TYPES.map((type) =>
    segmentRoute(
      SHORT_PATHS[type],
      `A \`${type}\` message (Segment, short path)`,
      `The same as \`POST /v1/${type}\`, on the path analytics.js posts a \`${type}\` to.`,
    ),
  ),
  segmentRoute(
    SHORT_PATHS.batch,
    'A batch of messages (Segment, short path)',
    "Segment's `POST /v1/batch`, on the path analytics.js posts its batches to (`deliveryStrategy: batching`); messages refused one by one are counted and logged, the others stored.",
    segmentBatchRequestSchema,
  ),
  operation({
    method: 'get',
    path: '/v1/users/:userId',
    tag: 'read',
    summary: 'One user',
    description: 'First and last seen, last sign-in, account, traits, and recent activity.',
    auth: 'read',
    params: { userId },
    answers: { 200: { json: userProfileSchema, description: 'The user.' } },
    errors: ['bad_request', 'not_found'],
  }),
  operation({
    method: 'get',
    path: '/v1/accounts/:accountId',
    tag: 'read',
    summary: 'One account',
    description: 'First and last seen, traits, its users with their traits, and recent activity.',
    auth: 'read',
    params: { accountId },
    answers: { 200: { json: accountProfileSchema, description: 'The account.' } },
    errors: ['bad_request', 'not_found'],
  }),
  operation({
    method: 'get',
    path: '/v1/users',
    tag: 'read',
    summary: 'Find users',
    description:
      'Users whose id starts with `search`, or whose latest `email` or `name` trait contains it, ignoring case; ordered by id. Users known only from `identify` are found too, with no first or last seen.',
    auth: 'read',
    query: searchQuery,
    answers: { 200: { json: searchAnswerSchema, description: 'One page of matches.' } },
    errors: ['bad_request'],
  }),
  operation({
    method: 'get',
    path: '/v1/accounts',
    tag: 'read',
    summary: 'Find accounts',
    description:
      'Accounts whose id starts with `search`, or whose latest `email` or `name` trait contains it, ignoring case; ordered by id. Accounts known only from `group` are found too, with no first or last seen.',
    auth: 'read',
    query: searchQuery,
    answers: { 200: { json: searchAnswerSchema, description: 'One page of matches.' } },
    errors: ['bad_request'],
  }),
  operation({
    method: 'get',
    path: '/v1/active',
    tag: 'read',
    summary: 'Active users over time',
    description: 'DAU, WAU and MAU per day (or active users per week or month), and stickiness.',
    auth: 'read',
    query: activeQuery,
    answers: { 200: { json: activeAnswerSchema, description: 'The series.' } },
    errors: ['bad_request'],
  }),
  operation({
    method: 'get',
    path: '/v1/summary',
    tag: 'read',
    summary: 'A period against the one before',
    description:
      'Active users, active accounts, new users and returning users of `from`..`to` and of the as many days just before it.',
    auth: 'read',
    query: summaryQuery,
    answers: { 200: { json: summaryAnswerSchema, description: 'The two periods.' } },
    errors: ['bad_request'],
  }),
  operation({
    method: 'get',
    path: '/v1/inactive',
    tag: 'read',
    summary: 'Users or accounts that went quiet',
    description: 'Seen before, but not within `after`; one page, with how active each used to be.',
    auth: 'read',
    query: inactiveQuery,
    answers: { 200: { json: inactiveAnswerSchema, description: 'One page.' } },
    errors: ['bad_request'],
  }),
  operation({
    method: 'get',
    path: '/v1/declining',
    tag: 'read',
    summary: 'Users or accounts still active but much less than before',
    description:
      'Active days in the `window` ending today against those expected from the `baseline` before it: listed when `recent ≥ 1`, `expected ≥ 2` and `recent ≤ expected × (1 − drop)`. Accounts come by their `mrr` trait first, then by the shortfall.',
    auth: 'read',
    query: decliningQuery,
    answers: { 200: { json: decliningAnswerSchema, description: 'One page.' } },
    errors: ['bad_request'],
  }),
  operation({
    method: 'get',
    path: '/v1/lifecycle',
    tag: 'read',
    summary: 'New, returning, resurrecting and dormant users per period',
    description:
      'Per week or month (UTC, weeks from Monday): where the active users come from, and who left.',
    auth: 'read',
    query: lifecycleQuery,
    answers: { 200: { json: lifecycleAnswerSchema, description: 'The periods.' } },
    errors: ['bad_request'],
  }),
  operation({
    method: 'get',
    path: '/v1/retention',
    tag: 'read',
    summary: 'Cohorts of new users and how many come back',
    description:
      'Users first seen in each period, and how many of them are active in each period after.',
    auth: 'read',
    query: retentionQuery,
    answers: { 200: { json: retentionAnswerSchema, description: 'The cohorts.' } },
    errors: ['bad_request'],
  }),
  operation({
    method: 'get',
    path: '/v1/events',
    tag: 'read',
    summary: 'Track events per name and day',
    auth: 'read',
    query: eventsQuery,
    answers: { 200: { json: eventsAnswerSchema, description: 'Counts per event name.' } },
    errors: ['bad_request'],
  }),
  operation({
    method: 'get',
    path: '/v1/frequency',
    tag: 'read',
    summary: 'How often users come back',
    description: 'Active days per week over a window of whole weeks, and the spread over 0–7.',
    auth: 'read',
    query: frequencyQuery,
    answers: { 200: { json: frequencyAnswerSchema, description: 'The window.' } },
    errors: ['bad_request'],
  }),
  operation({
    method: 'delete',
    path: '/v1/users/:userId',
    tag: 'rights',
    summary: 'Delete a user',
    description:
      'Removes everything stored about the user; answered once the rows are gone, after which every answer is as if the user had never been tracked. After a `503`, send it again to finish.',
    auth: 'admin',
    params: { userId },
    answers: { 200: { json: deletedAnswerSchema, description: 'Deleted.' } },
    errors: ['bad_request', 'not_found'],
  }),
  operation({
    method: 'get',
    path: '/v1/users/:userId/export',
    tag: 'rights',
    summary: 'Export a user',
    description:
      'Everything stored about the user, one JSON object per line, each with a `type` (`profile` first). Streamed as read; a storage failure once started cuts the answer short.',
    auth: 'admin',
    params: { userId },
    answers: {
      200: { ndjson: exportLineSchema, description: 'The lines of the export (NDJSON).' },
    },
    errors: ['bad_request', 'not_found'],
  }),
  operation({
    method: 'get',
    path: '/healthz',
    tag: 'ops',
    summary: 'Liveness',
    description: 'The process is alive and answering.',
    auth: 'none',
    answers: { 200: { json: healthAnswerSchema, description: 'Alive.' } },
  }),
  operation({
    method: 'get',
    path: '/readyz',
    tag: 'ops',
    summary: 'Readiness',
    description:
      'The service can take writes: the store answers within 2 s, every migration is applied, the writer is not waiting after a failed insert. Otherwise `503`.',
    auth: 'none',
    answers: { 200: { json: readyAnswerSchema, description: 'Ready.' } },
  }),
  operation({
    method: 'get',
    path: '/metrics',
    tag: 'ops',
    summary: 'Prometheus metrics',
    description:
      'Open unless `LASTSEEN_METRICS_TOKEN` is set; then only for `Authorization: Bearer <token>`, others get `401`.',
    auth: 'none',
    errors: ['unauthorized'],
    answers: {
      200: {
        text: true,
        mediaType: 'text/plain; version=0.0.4; charset=utf-8',
        description: 'Prometheus text exposition.',
      },
    },
  }),
  operation({
    method: 'get',
    path: '/openapi.json',
    tag: 'ops',
    summary: 'This OpenAPI document',
    auth: 'none',
    answers: {
      200: { json: z.looseObject({ openapi: z.string() }), description: 'OpenAPI 3.1.' },
    },
  }),
  operation({
    method: 'get',
    path: '/',
    tag: 'dashboard',
    summary: 'Dashboard overview',
    description:
      'The overview page, or the sign-in form when signed out: the period `from`..`to` (days; the 30 days ending today by default; a bad one is said on the page) against the one before, Slipping, Gone quiet at `quiet` (`7d`, `14d`, `30d` or `LASTSEEN_INACTIVE_AFTER`), lifecycle and retention by week, or by month with `by=month`. Its lists take `usort`, `uorder`, `uoffset` (inactive users) and `asort`, `aorder`, `aoffset` (accounts), as `sort`, `order` and `offset` of `GET /v1/inactive`; values that do not parse fall back to the defaults.',
    auth: 'session',
    answers: { 200: { html: true, description: 'The overview, or the sign-in form.' } },
  }),
  operation({
    method: 'post',
    path: '/session',
    tag: 'dashboard',
    summary: 'Sign in',
    description:
      "Form field `key`: the read key. Starts a session held in the `lastseen_session` cookie. Only from the dashboard's own pages; at most 4 KB.",
    auth: 'none',
    body: z.object({ key: z.string().describe('The read key.') }),
    bodyTypes: formTypes,
    answers: {
      303: { redirect: true, description: 'Signed in: to `/`, with the session cookie.' },
      401: { html: true, description: 'An unknown key: the form again.' },
      403: { html: true, description: 'A write key, or a post from another site.' },
      429: { html: true, retryAfter: true, description: 'Too many wrong keys: the form again.' },
    },
    errors: ['payload_too_large'],
  }),
  operation({
    method: 'post',
    path: '/session/end',
    tag: 'dashboard',
    summary: 'Sign out',
    description:
      "Ends the session on the server and forgets its cookie. Only from the dashboard's own pages; at most 4 KB.",
    auth: 'none',
    bodyTypes: formTypes,
    answers: { 303: { redirect: true, description: 'Signed out: to `/`.' }, ...form },
    errors: ['payload_too_large', 'rate_limited'],
  }),
  operation({
    method: 'get',
    path: '/lookup',
    tag: 'dashboard',
    summary: 'Find users and accounts',
    description:
      'The search box: a user with exactly the id `q`, else an account with it, else what `GET /v1/users?search=` and `GET /v1/accounts?search=` find — the one found, or the list.',
    auth: 'session',
    query: z.object({
      q: z.string().optional().describe('An id, or text of an id, name or e-mail.'),
      userId: z.string().optional().describe('The same as `q`, for older links.'),
    }),
    answers: {
      200: { html: true, description: 'What the search found, when not exactly one.' },
      303: { redirect: true, description: 'To the one found, or to `/` when empty.' },
    },
  }),
  operation({
    method: 'get',
    path: '/users/:userId',
    tag: 'dashboard',
    summary: 'User page',
    auth: 'session',
    params: { userId },
    answers: {
      200: { html: true, description: 'The user.' },
      404: { html: true, description: 'No such user.' },
      ...toSignIn,
    },
  }),
  operation({
    method: 'get',
    path: '/accounts/:accountId',
    tag: 'dashboard',
    summary: 'Account page',
    description:
      'Its traits, activity trend and users; users not seen for `quiet` (as on the overview) are marked quiet.',
    auth: 'session',
    params: { accountId },
    query: z.object({
      quiet: z.string().optional().describe('The quiet threshold: `7d`, `14d`, `30d`, …'),
    }),
    answers: {
      200: { html: true, description: 'The account.' },
      404: { html: true, description: 'No such account.' },
      ...toSignIn,
    },
  }),
  operation({
    method: 'get',
    path: '/dashboard.js',
    tag: 'dashboard',
    summary: "The dashboard's script",
    description:
      'Progressive: arrow keys on the charts, a quiet threshold applied when picked. Every page works without it.',
    auth: 'none',
    answers: {
      200: { text: true, mediaType: 'text/javascript; charset=utf-8', description: 'The script.' },
    },
  }),
  operation({
    method: 'get',
    path: '/export/inactive.csv',
    tag: 'dashboard',
    summary: 'A quiet list as CSV',
    description:
      'Every page of `GET /v1/inactive` (at most 50,000 rows) for `level` and the quiet threshold `quiet`, sorted by `sort` and `order`, written like its `format=csv`.',
    auth: 'session',
    query: z.object({
      level: z.enum(['user', 'account']).optional().describe('Users (the default) or accounts.'),
      quiet: z.string().optional().describe('The quiet threshold: `7d`, `14d`, `30d`, …'),
      sort: z.string().optional().describe('As `sort` of `GET /v1/inactive`.'),
      order: z.string().optional().describe('As `order` of `GET /v1/inactive`.'),
    }),
    answers: {
      200: { text: true, mediaType: 'text/csv; charset=utf-8', description: 'The list.' },
      ...toSignIn,
    },
  }),
  operation({
    method: 'get',
    path: '/export/declining.csv',
    tag: 'dashboard',
    summary: 'A Slipping list as CSV',
    description:
      'Every page of `GET /v1/declining` with the service defaults (at most 50,000 rows) for `level`, written like its `format=csv`.',
    auth: 'session',
    query: z.object({
      level: z.enum(['user', 'account']).optional().describe('Users (the default) or accounts.'),
    }),
    answers: {
      200: { text: true, mediaType: 'text/csv; charset=utf-8', description: 'The list.' },
      ...toSignIn,
    },
  }),
]
