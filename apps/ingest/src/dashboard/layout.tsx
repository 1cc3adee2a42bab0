/**
 * @module
 * The dashboard's page shell: one small inline stylesheet, no scripts, no build step.
 */
import { raw } from 'hono/html'
import type { Child } from 'hono/jsx'

const CSS = `
:root { color-scheme: light dark; --fg: #1d2125; --muted: #6b7280; --line: #e5e7eb;
  --bg: #fff; --card: #f8fafc; --accent: #2563eb; --wau: #16a34a; --mau: #9333ea; }
@media (prefers-color-scheme: dark) { :root { --fg: #e5e7eb; --muted: #9ca3af;
  --line: #374151; --bg: #111827; --card: #1f2937; } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; gap: 1rem; align-items: center; padding: .75rem 1.5rem;
  border-bottom: 1px solid var(--line); }
header h1 { font-size: 1.1rem; margin: 0; } header h1 a { color: inherit; text-decoration: none; }
header search { margin-left: auto; } header form { display: flex; gap: .5rem; }
main { max-width: 1100px; margin: 0 auto; padding: 1.5rem; display: grid; gap: 1.5rem; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px;
  padding: 1rem 1.25rem; }
h2 { font-size: 1rem; margin: 0 0 .75rem; }
.tiles { display: flex; gap: 2rem; flex-wrap: wrap; }
.tile b { display: block; font-size: 1.6rem; }
.tile span, .muted { color: var(--muted); }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line);
  white-space: nowrap; }
th a { color: inherit; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
a { color: var(--accent); }
input, button { font: inherit; padding: .35rem .6rem; border: 1px solid var(--line);
  border-radius: 6px; background: var(--bg); color: var(--fg); }
button { cursor: pointer; }
.bar { height: .6rem; background: var(--accent); border-radius: 3px; }
.error { color: #dc2626; }
svg text { fill: var(--muted); font-size: 11px; }
.legend span { margin-right: 1rem; } .legend i { display: inline-block; width: .8rem;
  height: .25rem; margin-right: .3rem; vertical-align: middle; }
`

export function Layout(props: { title: string; signedIn: boolean; children: Child }) {
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${props.title} · lastseen`}</title>
          <style>{CSS}</style>
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
