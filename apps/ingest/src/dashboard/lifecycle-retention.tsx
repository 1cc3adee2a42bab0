/**
 * @module
 * Lifecycle (where each period's active users come from, and who left: `GET /v1/lifecycle`)
 * and retention (how many of each cohort come back: `GET /v1/retention`), as tables with
 * bars and shades; every figure is written out. On a phone the retention table leaves out its
 * years and its column 0 (always the cohort's size, shown next to it).
 */
import type { LifecycleAnswer } from '../insights/lifecycle.js'
import type { RetentionAnswer } from '../insights/retention.js'

const KINDS = ['new', 'returning', 'resurrecting', 'dormant'] as const

export function LifecycleTable(props: { answer: LifecycleAnswer }) {
  const { periods } = props.answer
  const most = Math.max(
    1,
    ...periods.map((p) => Math.max(p.new + p.returning + p.resurrecting, p.dormant)),
  )
  const w = (n: number) => `${((50 * n) / most).toFixed(1)}%`
  return (
    <table class="lifecycle" data-testid="lifecycle">
      <thead>
        <tr>
          <th>{props.answer.interval === 'week' ? 'Week of' : 'Month'}</th>
          {KINDS.map((k) => (
            <th class="n">{k}</th>
          ))}
          <th class="w40 hide-narrow" />
        </tr>
      </thead>
      <tbody>
        {periods.map((p) => {
          const up = p.new + p.returning + p.resurrecting
          return (
            <tr data-period={p.period}>
              <td>{p.period}</td>
              {KINDS.map((k) => (
                <td class="n" data-kind={k} data-value={p[k]}>
                  {k === 'dormant' && p[k] > 0 ? `−${p[k]}` : p[k]}
                </td>
              ))}
              <td class="hide-narrow">
                <svg class="bar diverging" aria-hidden="true">
                  <rect
                    class="dormant"
                    x={`${(50 - (50 * p.dormant) / most).toFixed(1)}%`}
                    width={w(p.dormant)}
                    height="100%"
                  />
                  <rect class="new" x="50%" width={w(p.new)} height="100%" />
                  <rect
                    class="returning"
                    x={`${(50 + (50 * p.new) / most).toFixed(1)}%`}
                    width={w(p.returning)}
                    height="100%"
                  />
                  <rect
                    class="resurrecting"
                    x={`${(50 + (50 * (p.new + p.returning)) / most).toFixed(1)}%`}
                    width={w(p.resurrecting)}
                    height="100%"
                  />
                  <title>{`${up} active, ${p.dormant} dormant`}</title>
                </svg>
              </td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

export function RetentionTable(props: { answer: RetentionAnswer }) {
  const { cohorts, interval } = props.answer
  const offsets = Math.max(0, ...cohorts.map((c) => c.active.length))
  return (
    <table class="retention" data-testid="retention">
      <thead>
        <tr>
          <th>{interval === 'week' ? 'Week of' : 'Month'}</th>
          <th class="n">Users</th>
          {Array.from({ length: offsets }, (_, k) => (
            <th class={k === 0 ? 'n k0' : 'n'}>{k}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {cohorts.map((c) => (
          <tr data-cohort={c.cohort}>
            <td>
              <span class="year">{c.cohort.slice(0, 5)}</span>
              {c.cohort.slice(5)}
            </td>
            <td class="n" data-size={c.size}>
              {c.size}
            </td>
            {Array.from({ length: offsets }, (_, k) => {
              const n = c.active[k]
              if (n === undefined) return <td class={k === 0 ? 'k0' : undefined} />
              const share = c.size ? n / c.size : 0
              return (
                <td
                  class={`n r${Math.ceil(share * 4)}${k === 0 ? ' k0' : ''}`}
                  data-active={n}
                  title={`${n} of ${c.size}`}
                >
                  {c.size ? `${Math.round(share * 100)}%` : '—'}
                </td>
              )
            })}
          </tr>
        ))}
      </tbody>
    </table>
  )
}
