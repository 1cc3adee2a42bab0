/**
 * @module
 * The DAU / WAU / MAU chart: an inline SVG drawn on the server, one line per measure. Each day
 * is a focusable point whose exact values show on hover or focus (CSS only; dashboard.js adds
 * arrow keys), and the same values are in a table under it. Today, still counting, is drawn
 * dashed and labelled as such.
 */
import type { ActivePoint } from '../insights/active.js'

const W = 720
const H = 250
const PAD = { left: 40, right: 14, top: 46, bottom: 26 }

const LINES = [
  { key: 'active', label: 'DAU', color: 'var(--accent)' },
  { key: 'wau', label: 'WAU (7 days)', color: 'var(--wau)' },
  { key: 'mau', label: 'MAU (30 days)', color: 'var(--mau)' },
] as const

type Measure = (typeof LINES)[number]['key']

const value = (p: ActivePoint, key: Measure) => p[key] ?? 0

/** `2026-11-24` → `Tue 24 Nov 2026`. */
export function longDate(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  })
}

/** The values of one day, as read out: `DAU 3 · WAU 5 · MAU 9`. */
const readout = (p: ActivePoint, measures: readonly Measure[]) =>
  LINES.filter((l) => measures.includes(l.key))
    .map((l) => `${l.label.split(' ')[0]} ${value(p, l.key)}`)
    .join(' · ')

export function ActiveChart(props: {
  series: ActivePoint[]
  /** Today (UTC): a point on this day is partial. */
  today: string
  label: string
  /** Which lines to draw. @default all three */
  measures?: readonly Measure[]
}) {
  const { series, today } = props
  const measures = props.measures ?? LINES.map((l) => l.key)
  const lines = LINES.filter((l) => measures.includes(l.key))
  const n = series.length
  const max = Math.max(1, ...series.flatMap((p) => measures.map((m) => value(p, m))))
  const plotW = W - PAD.left - PAD.right
  const x = (i: number) => PAD.left + (n > 1 ? (i / (n - 1)) * plotW : plotW / 2)
  const y = (v: number) => PAD.top + (1 - v / max) * (H - PAD.top - PAD.bottom)
  const partial = series.at(-1)?.date === today
  // Complete days solid; the last segment, to today's partial point, dashed.
  const solidUntil = partial ? n - 1 : n
  const points = (from: number, to: number, key: Measure) =>
    series
      .slice(from, to)
      .map((p, j) => `${x(from + j).toFixed(1)},${y(value(p, key)).toFixed(1)}`)
      .join(' ')
  const half = n > 1 ? plotW / (n - 1) / 2 : plotW / 2
  const last = series.at(-1)
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        aria-label={props.label}
        data-testid="active-chart"
        data-chart=""
      >
        <line class="axis" x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} />
        <line class="grid" x1={PAD.left} x2={W - PAD.right} y1={y(max)} y2={y(max)} />
        <text x={PAD.left - 6} y={y(max) + 4} text-anchor="end">
          {max}
        </text>
        <text x={PAD.left - 6} y={y(0) + 4} text-anchor="end">
          0
        </text>
        {series[0] && (
          <text x={x(0)} y={H - 6}>
            {series[0].date}
          </text>
        )}
        {last && n > 1 && (
          <text x={x(n - 1)} y={H - 6} text-anchor="end" data-testid="chart-last-label">
            {partial ? 'today (so far)' : last.date}
          </text>
        )}
        {lines.map((line) => (
          <>
            <polyline
              fill="none"
              stroke={line.color}
              stroke-width="2"
              data-series={line.key}
              points={points(0, solidUntil, line.key)}
            />
            {partial && n > 1 && (
              <polyline
                class="partial"
                fill="none"
                stroke={line.color}
                stroke-width="2"
                data-series={`${line.key}-partial`}
                points={points(n - 2, n, line.key)}
              />
            )}
          </>
        ))}
        {series.map((p, i) => {
          const isToday = p.date === today
          const label = `${longDate(p.date)}${isToday ? ' (today, so far)' : ''}`
          const right = x(i) > PAD.left + plotW / 2
          return (
            <g
              class="pt"
              tabindex="0"
              aria-label={`${label}: ${readout(p, measures)}`}
              data-date={p.date}
              data-active={p.active}
              data-wau={p.wau}
              data-mau={p.mau}
              data-partial={isToday ? '' : undefined}
            >
              <rect
                class="hit"
                x={(x(i) - half).toFixed(1)}
                y={PAD.top}
                width={(2 * half).toFixed(1)}
                height={H - PAD.top - PAD.bottom}
              />
              <line class="guide" x1={x(i)} x2={x(i)} y1={PAD.top} y2={y(0)} />
              {lines.map((line) => (
                <circle
                  class="dot"
                  cx={x(i).toFixed(1)}
                  cy={y(value(p, line.key)).toFixed(1)}
                  r="3.5"
                  fill={line.color}
                />
              ))}
              <text
                class="tip"
                x={right ? x(i) - 8 : x(i) + 8}
                text-anchor={right ? 'end' : 'start'}
              >
                <tspan x={right ? x(i) - 8 : x(i) + 8} y="16">
                  {label}
                </tspan>
                <tspan x={right ? x(i) - 8 : x(i) + 8} y="34">
                  {readout(p, measures)}
                </tspan>
              </text>
            </g>
          )
        })}
      </svg>
      <figcaption class="legend">
        {lines.map((line) => (
          <span>
            <i class={`swatch-${line.key}`} />
            {line.label}
          </span>
        ))}
        {partial && <span class="muted">Dashed: today, still counting.</span>}
      </figcaption>
      <details>
        <summary>Values as a table</summary>
        <table class="values" data-testid="chart-values">
          <thead>
            <tr>
              <th>Day</th>
              {lines.map((l) => (
                <th class="n">{l.label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {[...series].reverse().map((p) => (
              <tr>
                <td>
                  {p.date}
                  {p.date === today && <span class="muted"> (today, so far)</span>}
                </td>
                {lines.map((l) => (
                  <td class="n">{value(p, l.key)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  )
}
