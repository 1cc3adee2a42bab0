/**
 * @module
 * The dashboard's stylesheet, inlined in every page, and its digest for the
 * Content-Security-Policy: the policy allows this stylesheet and no other style, so pages use
 * classes, never `style` attributes (widths that vary are SVG attributes).
 */
import { createHash } from 'node:crypto'

export const CSS = `
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
.bar { display: block; width: 100%; height: .6rem; } .bar rect { fill: var(--accent); }
.w40 { width: 40%; } .w60 { width: 60%; } .spaced { margin-top: 1rem; }
caption { caption-side: bottom; text-align: left; padding-top: .4rem; }
figure { margin: 0; }
.narrow { max-width: 420px; margin: 3rem auto; } .narrow input { width: 100%; }
.error { color: #dc2626; }
svg text { fill: var(--muted); font-size: 11px; }
.legend span { margin-right: 1rem; } .legend i { display: inline-block; width: .8rem;
  height: .25rem; margin-right: .3rem; vertical-align: middle; }
.legend .swatch-active { background: var(--accent); } .legend .swatch-wau { background: var(--wau); }
.legend .swatch-mau { background: var(--mau); }
`

/** The CSP source that allows exactly {@link CSS}: `'sha256-…'`. */
export const CSS_SOURCE = `'sha256-${createHash('sha256').update(CSS).digest('base64')}'`
