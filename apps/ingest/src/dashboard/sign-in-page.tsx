/**
 * @module
 * The dashboard's sign-in page: one password field for the project's read key.
 */
import { Layout } from './layout.js'

export function SignInPage(props: { error?: string | undefined }) {
  return (
    <Layout title="Sign in" signedIn={false}>
      <section class="narrow">
        <h2>Sign in with your project's read key</h2>
        <form method="post" action="/session">
          <p>
            <input
              type="password"
              name="key"
              placeholder="lsr_…"
              aria-label="Read key"
              autocomplete="current-password"
              required
            />
          </p>
          {props.error && <p class="error">{props.error}</p>}
          <button type="submit">Sign in</button>
        </form>
        <p class="muted">
          The read key was printed on the service's first start, or set with LASTSEEN_READ_KEY.
        </p>
      </section>
    </Layout>
  )
}
