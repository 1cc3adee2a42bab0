/**
 * @module
 * The DAU / WAU / MAU chart: an inline SVG, one line per measure, drawn on the server.
 */
import type { ActivePoint } from '../insights/active.js'

const W = 720
const H = 220
const PAD = { left: 36, right: 12, top: 10, bottom: 24 }

const LINES = [
  { key: 'active', label: 'DAU', color: 'var(--accent)' },
  { key: 'wau', label: 'WAU (7 days)', color: 'var(--wau)' },
  { key: 'mau', label: 'MAU (30 days)', color: 'var(--mau)' },
] as const

export function ActiveChart(props: { series: ActivePoint[] }) {
  const { series } = props
  const max = Math.max(1, ...series.map((p) => p.mau ?? p.active))
  const x = (i: number) =>
    PAD.left + (series.length > 1 ? (i / (series.length - 1)) * (W - PAD.left - PAD.right) : 0)
  const y = (v: number) => PAD.top + (1 - v / max) * (H - PAD.top - PAD.bottom)
  const first = series[0]
  const last = series.at(-1)
  return (
    <figure>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        role="img"
        aria-label="Daily, weekly and monthly active users"
        data-testid="active-chart"
      >
        <line
          x1={PAD.left}
          x2={W - PAD.right}
          y1={y(0)}
          y2={y(0)}
          stroke="currentColor"
          opacity=".2"
        />
        <line
          x1={PAD.left}
          x2={W - PAD.right}
          y1={y(max)}
          y2={y(max)}
          stroke="currentColor"
          opacity=".1"
        />
        <text x={PAD.left - 6} y={y(max) + 4} text-anchor="end">
          {max}
        </text>
        <text x={PAD.left - 6} y={y(0) + 4} text-anchor="end">
          0
        </text>
        {first && (
          <text x={x(0)} y={H - 6}>
            {first.date}
          </text>
        )}
        {last && series.length > 1 && (
          <text x={x(series.length - 1)} y={H - 6} text-anchor="end">
            {last.date}
          </text>
        )}
        {LINES.map((line) => (
          <polyline
            fill="none"
            stroke={line.color}
            stroke-width="2"
            data-series={line.key}
            points={series
              .map((p, i) => `${x(i).toFixed(1)},${y(p[line.key] ?? 0).toFixed(1)}`)
              .join(' ')}
          >
            <title>{line.label}</title>
          </polyline>
        ))}
      </svg>
      <figcaption class="legend">
        {LINES.map((line) => (
          <span>
            <i class={`swatch-${line.key}`} />
            {line.label}: <b>{last?.[line.key] ?? 0}</b>
          </span>
        ))}
      </figcaption>
    </figure>
  )
}
