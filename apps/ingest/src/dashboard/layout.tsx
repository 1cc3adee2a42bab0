/**
 * @module
 * The dashboard's page shell: one small inline stylesheet, no scripts, no build step.
 */
import { raw } from 'hono/html'
import type { Child } from 'hono/jsx'
import { CSS } from './styles.js'

export function Layout(props: { title: string; signedIn: boolean; children: Child }) {
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${props.title} · lastseen`}</title>
          <style>{raw(CSS)}</style>
        </head>
        <body>
          <header>
            <h1>
              <a href="/">lastseen</a>
            </h1>
            {props.signedIn && (
              <>
                <search>
                  <form method="get" action="/lookup">
                    <input
                      name="userId"
                      placeholder="Find a user by id"
                      aria-label="User id"
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
          <main>{props.children}</main>
        </body>
      </html>
    </>
  )
}
