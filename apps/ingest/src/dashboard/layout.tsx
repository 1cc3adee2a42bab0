/**
 * @module
 * The dashboard's page shell: one small inline stylesheet, one small progressive script served
 * by the service (pages work without it), no build step.
 */
import { raw } from 'hono/html'
import type { Child } from 'hono/jsx'
import { SCRIPT_PATH } from './script.js'
import { CSS } from './styles.js'

export function Layout(props: {
  title: string
  signedIn: boolean
  /** The search box's text, on the search page. */
  search?: string
  children: Child
}) {
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${props.title} · lastseen`}</title>
          <style>{raw(CSS)}</style>
          {props.signedIn && <script src={SCRIPT_PATH} defer />}
        </head>
        <body>
          <a class="skip" href="#main">
            Skip to the content
          </a>
          <header>
            <h1>
              <a href="/">lastseen</a>
            </h1>
            {props.signedIn && (
              <>
                <search>
                  <form method="get" action="/lookup">
                    <input
                      name="q"
                      type="search"
                      placeholder="Id, name or e-mail"
                      aria-label="Find a user or account"
                      value={props.search}
                      required
                    />
                    <button type="submit">Find</button>
                  </form>
                </search>
                <form method="post" action="/session/end">
                  <button type="submit">Sign out</button>
                </form>
              </>
            )}
          </header>
          <main id="main">{props.children}</main>
        </body>
      </html>
    </>
  )
}
