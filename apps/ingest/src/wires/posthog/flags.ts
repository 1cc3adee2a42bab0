/**
 * @module
 * What PostHog's clients ask besides capture: feature flags, remote configuration, surveys.
 * lastseen has none of them, and says so in the answers these clients read as "nothing here":
 * no flags, no payloads, no surveys, a configuration that turns off every other product (so
 * `posthog-js` loads no extension and asks for no flags). Every answer is a success: the clients
 * retry failures, and some (`posthog-js`'s remote configuration) log each one as an error.
 *
 * The answers are the same for every project and key, so no key is checked: they tell nothing,
 * and a key that cannot fail here cannot be guessed here either.
 */
import { LIMITS } from '@lastseen/protocol'
import type { Context } from 'hono'
import { Hono } from 'hono'
import { BadRequest } from '../../errors.js'
import { posthogCors } from './cors.js'

/**
 * The remote configuration of `posthog-js` (`/array/<token>/config`): gzip accepted, no feature
 * flags, and every product that would load a script or send to a route lastseen lacks (session
 * recording, heatmaps, web vitals, dead clicks, exceptions, site apps) off. `surveys` is left
 * out on purpose: `false` still loads the surveys script (to show none), absent loads nothing.
 */
export const REMOTE_CONFIG = {
  supportedCompression: ['gzip', 'gzip-js'],
  hasFeatureFlags: false,
  autocapture_opt_out: false,
  autocaptureExceptions: false,
  captureDeadClicks: false,
  capturePerformance: false,
  elementsChainAsString: true,
  heatmaps: false,
  sessionRecording: false,
  productTours: false,
  siteApps: [],
  siteAppsJS: [],
  defaultIdentifiedOnly: true,
} as const

/** `/flags` (`posthog-node`, `posthog-js`) and `/decide` (older clients): no flag, v1 and v2 shapes. */
const NO_FLAGS = {
  flags: {},
  featureFlags: {},
  featureFlagPayloads: {},
  errorsWhileComputingFlags: false,
  quotaLimited: [],
}

/** `posthog-node`'s local evaluation (`/flags/definitions`, formerly `/api/feature_flag/local_evaluation`). */
const NO_DEFINITIONS = { flags: [], group_type_mapping: {}, cohorts: {} }

/** A project token as it may appear in a path: what is echoed into JavaScript is only this. */
const TOKEN = new RegExp(`^[A-Za-z0-9_-]{1,${LIMITS.maxNameLength}}$`)

/** The token of a remote configuration path; only a token's characters are echoed into JavaScript. */
function token(c: Context): string {
  const value = c.req.param('token') ?? ''
  if (!TOKEN.test(value)) {
    throw new BadRequest(
      `token in the path must be 1 to ${LIMITS.maxNameLength} characters of A-Z a-z 0-9 _ -`,
    )
  }
  return value
}

/**
 * Each route as the clients spell it (trailing `/` or not): `posthog-node` and `posthog-js` ask
 * `/flags/?v=2`, older versions `/decide/`; `posthog-node`'s local evaluation reads
 * `/flags/definitions` (before 5.x `/api/feature_flag/local_evaluation`), its remote config
 * payloads `/api/projects/@current/feature_flags/<key>/remote_config`; `posthog-js` reads
 * `/api/surveys/` and its configuration from `/array/<token>/config.js`, else `…/config`.
 */
export const FLAG_ROUTES = [
  'POST /flags/',
  'POST /decide/',
  'GET /flags/definitions',
  'GET /api/feature_flag/local_evaluation',
  'GET /api/projects/:project/feature_flags/:flag/remote_config',
  'GET /api/surveys/',
  'GET /array/:token/config',
  'GET /array/:token/config.js',
] as const

/** The flag, configuration and survey answers. */
export function posthogFlagRoutes(): Hono {
  const app = new Hono()
  for (const route of FLAG_ROUTES) app.use(route.slice(route.indexOf(' ') + 1), posthogCors)
  const flags = (c: Context) =>
    c.json(c.req.query('config') === 'true' ? { ...NO_FLAGS, ...REMOTE_CONFIG } : NO_FLAGS)
  app.post('/flags/', flags)
  app.post('/decide/', flags)
  app.get('/flags/definitions', (c) => c.json(NO_DEFINITIONS))
  app.get('/api/feature_flag/local_evaluation', (c) => c.json(NO_DEFINITIONS))
  app.get('/api/projects/:project/feature_flags/:flag/remote_config', (c) => c.json(null))
  app.get('/api/surveys/', (c) => c.json({ surveys: [] }))
  app.get('/array/:token/config', (c) => c.json({ token: token(c), ...REMOTE_CONFIG }))
  app.get('/array/:token/config.js', (c) => {
    const t = token(c)
    // What posthog-js's script loader expects: the configuration, filed under the token.
    const script = `(window._POSTHOG_REMOTE_CONFIG = window._POSTHOG_REMOTE_CONFIG || {})[${JSON.stringify(t)}] = ${JSON.stringify({ config: { token: t, ...REMOTE_CONFIG }, siteApps: [] })};\n`
    return c.body(script, 200, { 'Content-Type': 'text/javascript; charset=utf-8' })
  })
  return app
}
