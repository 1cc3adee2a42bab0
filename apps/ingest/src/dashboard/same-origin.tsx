/**
 * @module
 * The dashboard's forms (sign-in, sign-out) only take posts from the dashboard's own pages, so
 * another site cannot sign a visitor into its project or out of theirs (login and logout CSRF).
 *
 * The rule, in order (the one Go's `http.CrossOriginProtection` follows):
 * 1. `Sec-Fetch-Site` present (every current browser sends it): allowed only when
 *    `same-origin`, or `none` (the user's own action, such as a bookmark). `same-site` is
 *    refused too: a sibling subdomain is another party.
 * 2. Otherwise `Origin` present (older browsers): its host must be the request's `Host` (or
 *    `X-Forwarded-Host`, set by a proxy; a cross-site form cannot set either). `Origin: null`
 *    is refused.
 * 3. Neither: allowed. Browsers that send neither on a POST are long gone, and a form posted
 *    from a page cannot take both away, so this is a client that is not a browser (curl, a
 *    script), which carries no one's cookies but its own.
 *
 * A refused post is answered 403 with a page saying so, before its body is read.
 */
import type { MiddlewareHandler } from 'hono'
import { Layout } from './layout.js'

/** Why the post must be refused, or undefined when it comes from the dashboard itself. */
function crossSiteReason(headers: Headers, requestUrl: string): string | undefined {
  const site = headers.get('sec-fetch-site')
  if (site !== null) {
    return site === 'same-origin' || site === 'none' ? undefined : `Sec-Fetch-Site: ${site}`
  }
  const origin = headers.get('origin')
  if (origin === null) return undefined
  const host =
    headers.get('x-forwarded-host')?.split(',')[0]?.trim() ||
    headers.get('host') ||
    new URL(requestUrl).host
  let originHost: string
  try {
    originHost = new URL(origin).host
  } catch {
    return `Origin: ${origin}`
  }
  return originHost.toLowerCase() === host.toLowerCase() ? undefined : `Origin: ${origin}`
}

/** Refuse (403) a state-changing post that another site's page sent. */
export const sameOriginOnly: MiddlewareHandler = async (c, next) => {
  const reason = crossSiteReason(c.req.raw.headers, c.req.url)
  if (reason === undefined) return next()
  return c.html(<RefusedPage reason={reason} />, 403)
}

function RefusedPage(props: { reason: string }) {
  return (
    <Layout title="Refused" signedIn={false}>
      <section class="narrow">
        <h2>This form was sent from another site</h2>
        <p>
          Nothing was changed: the dashboard only takes sign-in and sign-out from its own pages (
          {props.reason}).
        </p>
        <p>
          <a href="/">Open the dashboard</a>
        </p>
      </section>
    </Layout>
  )
}
