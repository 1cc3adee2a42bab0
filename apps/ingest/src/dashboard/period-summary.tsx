/**
 * @module
 * The top of the overview: the chosen period against the one before it (active users, active
 * accounts, new users, returning users), each with its change.
 */
import type { PeriodFigures, SummaryAnswer } from '../insights/summary.js'

type Figure = Exclude<keyof PeriodFigures, 'from' | 'to'>

const FIGURES: { key: Figure; label: string }[] = [
  { key: 'activeUsers', label: 'active users' },
  { key: 'activeAccounts', label: 'active accounts' },
  { key: 'newUsers', label: 'new users' },
  { key: 'returningUsers', label: 'returning users' },
]

/** `+3 (+50%)`, `−2 (−40%)`, `no change`; a rise from 0 has no percentage. */
export function change(now: number, before: number): string {
  const diff = now - before
  if (diff === 0) return 'no change'
  const sign = diff > 0 ? '+' : '−'
  const percent = before === 0 ? '' : ` (${sign}${Math.round((100 * Math.abs(diff)) / before)}%)`
  return `${sign}${Math.abs(diff)}${percent}`
}

export function PeriodSummary(props: { summary: SummaryAnswer }) {
  const { current, previous } = props.summary
  return (
    <div class="tiles" data-testid="period-summary">
      {FIGURES.map(({ key, label }) => {
        const diff = current[key] - previous[key]
        return (
          <div class="tile" data-figure={key}>
            <b data-testid={`now-${key}`}>{current[key]}</b>
            <span>{label}</span>
            <small
              class={diff > 0 ? 'up' : diff < 0 ? 'down' : 'muted'}
              data-testid={`change-${key}`}
            >
              {change(current[key], previous[key])}
            </small>
            <small class="muted">
              was <span data-testid={`before-${key}`}>{previous[key]}</span>
            </small>
          </div>
        )
      })}
    </div>
  )
}
