/**
 * @module
 * The dashboard's stylesheet, inlined in every page, and its digest for the
 * Content-Security-Policy: the policy allows this stylesheet and no other style, so pages use
 * classes, never `style` attributes (widths that vary are SVG attributes). Below 640 px the
 * lists become one card per row, and the charts' text grows as their drawing shrinks, so a
 * 390 px phone reads everything without scrolling sideways.
 */
import { createHash } from 'node:crypto'

export const CSS = `
:root { color-scheme: light dark; --fg: #1d2125; --muted: #6b7280; --line: #e5e7eb;
  --bg: #fff; --card: #f8fafc; --accent: #2563eb; --wau: #16a34a; --mau: #9333ea;
  --up: #15803d; --down: #b91c1c; --cal0: #e5e7eb; --hover: rgba(37, 99, 235, .08); }
@media (prefers-color-scheme: dark) { :root { --fg: #e5e7eb; --muted: #9ca3af;
  --line: #374151; --bg: #111827; --card: #1f2937; --up: #4ade80; --down: #f87171;
  --cal0: #374151; --hover: rgba(96, 165, 250, .15); } }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center;
  padding: .75rem 1.5rem; border-bottom: 1px solid var(--line); }
header h1 { font-size: 1.1rem; margin: 0; } header h1 a { color: inherit; text-decoration: none; }
header search { margin-left: auto; min-width: 0; } header form { display: flex; gap: .5rem; }
header search input { width: 16rem; max-width: 100%; min-width: 0; }
main { max-width: 1100px; margin: 0 auto; padding: 1.5rem; display: grid; gap: 1.5rem;
  grid-template-columns: minmax(0, 1fr); }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px;
  padding: 1rem 1.25rem; min-width: 0; }
h2 { font-size: 1rem; margin: 0 0 .75rem; } h3 { font-size: .95rem; margin: 1.25rem 0 .5rem; }
.wrap, h2, p { overflow-wrap: anywhere; }
.tiles { display: grid; gap: 1rem 2rem; grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr)); }
.tile b { display: block; font-size: 1.6rem; font-variant-numeric: tabular-nums; }
.tiles.small .tile b { font-size: 1.25rem; }
.tile span, .tile small, .muted { color: var(--muted); } .tile small { display: block; }
.tile small.up { color: var(--up); } .tile small.down { color: var(--down); }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line);
  white-space: nowrap; }
td.wrap, table.values th, table.values td { white-space: normal; }
th a { color: inherit; } td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible,
summary:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
input, button, select { font: inherit; padding: .35rem .6rem; border: 1px solid var(--line);
  border-radius: 6px; background: var(--bg); color: var(--fg); }
button { cursor: pointer; }
.bar { display: block; width: 100%; height: .6rem; } .bar rect { fill: var(--accent); }
.w40 { width: 40%; } .w60 { width: 60%; } .spaced { margin-top: 1rem; }
caption { caption-side: bottom; text-align: left; padding-top: .4rem; white-space: normal; }
figure { margin: 0; }
.narrow { max-width: 420px; margin: 3rem auto; } .narrow input { width: 100%; }
.error { color: var(--down); }
.skip { position: absolute; left: -100vw; top: .5rem; padding: .35rem .6rem; background: var(--bg); }
.skip:focus { left: .5rem; }
.controls { display: flex; flex-wrap: wrap; gap: .75rem 1.5rem; align-items: center; }
.presets { display: flex; flex-wrap: wrap; gap: .25rem .75rem; }
.presets a[aria-current] { font-weight: 600; color: var(--fg); text-decoration: none; }
.range { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; }
.range label { display: flex; gap: .4rem; align-items: center; }
.controls .error { flex-basis: 100%; margin: 0; }
.export { margin-left: .75rem; font-weight: normal; font-size: .9em; }
.badge { margin-left: .5rem; padding: 0 .4rem; border-radius: 4px; font-size: .8em;
  background: var(--down); color: var(--bg); }
tr.quiet td { color: var(--muted); }
details { margin-top: .5rem; } summary { cursor: pointer; color: var(--muted); }
svg text { fill: var(--muted); font-size: 11px; }
.chart .axis { stroke: currentColor; opacity: .25; } .chart .grid { stroke: currentColor; opacity: .1; }
.chart .partial { stroke-dasharray: 4 4; }
.chart .pt { outline: none; } .chart .hit { fill: transparent; }
.chart .guide { stroke: var(--muted); stroke-dasharray: 2 3; }
.chart .guide, .chart .dot, .chart .tip { visibility: hidden; }
.chart .pt:hover .hit, .chart .pt:focus .hit { fill: var(--hover); }
.chart .pt:hover :is(.guide, .dot, .tip), .chart .pt:focus :is(.guide, .dot, .tip) { visibility: visible; }
.chart .tip { fill: var(--fg); font-size: 13px; font-weight: 600; font-variant-numeric: tabular-nums;
  paint-order: stroke; stroke: var(--card); stroke-width: 4px; stroke-linejoin: round; }
.legend { display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
.legend i { display: inline-block; width: .8rem; height: .25rem; margin-right: .3rem;
  vertical-align: middle; }
.legend .swatch-active { background: var(--accent); } .legend .swatch-wau { background: var(--wau); }
.legend .swatch-mau { background: var(--mau); }
.calendar .day.l0 { fill: var(--cal0); } .calendar .day { fill: var(--accent); }
.calendar .l1 { opacity: .4; } .calendar .l2 { opacity: .6; } .calendar .l3 { opacity: .8; }
.calendar svg text { font-size: 9px; }
.calendar .halves { display: flex; flex-wrap: wrap; gap: .5rem 1rem; }
.calendar .halves svg { flex: 1 1 22rem; min-width: 0; }
.presets.inline { display: inline-flex; margin-left: .75rem; font-weight: normal; font-size: .9em; }
.down { color: var(--down); }
.diverging { height: .8rem; } .diverging .new { fill: var(--accent); }
.diverging .returning { fill: var(--wau); } .diverging .resurrecting { fill: var(--mau); }
.diverging .dormant { fill: var(--down); opacity: .7; }
table.retention td.n { padding: .3rem .4rem; }
.retention .r1 { background: rgba(37, 99, 235, .12); } .retention .r2 { background: rgba(37, 99, 235, .25); }
.retention .r3 { background: rgba(37, 99, 235, .4); } .retention .r4 { background: rgba(37, 99, 235, .55); }
.who small.email { display: block; } .identity { margin: -.4rem 0 .75rem; }
.traits { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: .5rem 1.5rem;
  margin: 0; } .traits dt { color: var(--muted); font-size: .85em; } .traits dd { margin: 0; }
@media (max-width: 640px) {
  .hide-narrow, .retention .year, .retention .k0 { display: none; }
  table.retention, table.lifecycle { font-size: 12px; } table.retention { font-size: 11px; }
  table.retention th, table.retention td, table.retention td.n, table.lifecycle th,
  table.lifecycle td { padding: .25rem .2rem; }
  header { padding: .6rem 1rem; } header search { margin-left: 0; flex: 1 1 100%; }
  header search form { width: 100%; } header search input { flex: 1; width: auto; }
  main { padding: .75rem; gap: .75rem; } section { padding: .75rem; }
  .chart svg text { font-size: 20px; } .chart .tip { font-size: 24px; stroke-width: 6px; }
  table.cards, table.cards tbody, table.cards tr, table.cards td, table.cards caption {
    display: block; }
  table.cards thead tr { display: flex; flex-wrap: wrap; gap: 0 .75rem; }
  table.cards th { border: 0; padding: .1rem 0; }
  table.cards tbody tr { padding: .4rem 0; border-top: 1px solid var(--line); }
  table.cards td { border: 0; padding: .1rem 0; white-space: normal; overflow-wrap: anywhere;
    text-align: left; }
  table.cards td::before { content: attr(data-label); color: var(--muted); display: inline-block;
    width: 6.5rem; }
  table.cards td.empty::before { content: none; }
  .range label { flex: 1 1 9rem; } .range input { flex: 1; min-width: 0; }
}
`

/** The CSP source that allows exactly {@link CSS}: `'sha256-…'`. */
export const CSS_SOURCE = `'sha256-${createHash('sha256').update(CSS).digest('base64')}'`
