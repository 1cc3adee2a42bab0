/**
 * @module
 * A year of active days, GitHub-style: one column per week (Monday on top, weeks start on
 * Monday), one square per day, filled when the user (or, for an account, any of its users) was
 * active. Each day's square says its date and value on hover. The year is drawn as two
 * half-years, side by side on a wide screen and one above the other on a phone, so the squares
 * stay large enough to see at 390 px.
 */
import type { ActivePoint } from '../insights/active.js'

const CELL = 11
const STEP = 14
const LEFT = 30
const TOP = 16
const WEEKDAYS = ['Mon', '', 'Wed', '', 'Fri', '', '']

/** Monday = 0 … Sunday = 6. */
const weekday = (day: string) => (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7

export function ActivityCalendar(props: {
  /** One point per day, oldest first (a year ending today). */
  series: ActivePoint[]
  today: string
  /** What one active unit is: `user` for an account's users, none for a user. */
  unit?: string
}) {
  const { series, today } = props
  const first = series[0]?.date ?? today
  const weeks = Math.ceil((series.length + weekday(first)) / 7)
  const max = Math.max(1, ...series.map((p) => p.active))
  const activeDays = series.filter((p) => p.active > 0).length
  const cell = (p: ActivePoint, offset: number, firstWeek: number) => {
    const level = p.active === 0 ? 0 : Math.min(4, Math.ceil((4 * p.active) / max))
    const what = props.unit
      ? `${p.active} active ${props.unit}${p.active === 1 ? '' : 's'}`
      : p.active
        ? 'active'
        : 'not active'
    return (
      <rect
        class={`day l${level}`}
        x={LEFT + (Math.floor(offset / 7) - firstWeek) * STEP}
        y={TOP + (offset % 7) * STEP}
        width={CELL}
        height={CELL}
        rx="2"
        data-date={p.date}
        data-active={p.active}
      >
        <title>{`${p.date}${p.date === today ? ' (today, so far)' : ''}: ${what}`}</title>
      </rect>
    )
  }
  const days = series.map((p, i) => ({ p, offset: i + weekday(first) }))
  const halfWeeks = Math.ceil(weeks / 2)
  const halves = [
    { firstWeek: 0, weeks: halfWeeks },
    { firstWeek: halfWeeks, weeks: weeks - halfWeeks },
  ]
  const monthName = (day: string) =>
    new Date(`${day}T00:00:00Z`).toLocaleDateString('en-GB', { month: 'short', timeZone: 'UTC' })
  return (
    <figure class="calendar" data-testid="calendar">
      <div class="halves">
        {halves.map((half) => {
          const mine = days.filter(
            ({ offset }) =>
              Math.floor(offset / 7) >= half.firstWeek &&
              Math.floor(offset / 7) < half.firstWeek + half.weeks,
          )
          const span = `${mine[0]?.p.date} to ${mine.at(-1)?.p.date}`
          return (
            <svg
              viewBox={`0 0 ${LEFT + halfWeeks * STEP} ${TOP + 7 * STEP}`}
              width="100%"
              role="img"
              aria-label={`Active on ${mine.filter(({ p }) => p.active > 0).length} days from ${span}`}
            >
              {WEEKDAYS.map((name, row) => (
                <text x="0" y={TOP + row * STEP + CELL - 1}>
                  {name}
                </text>
              ))}
              {/* A month's label over the week that holds its 1st. */}
              {mine
                .filter(({ p }) => p.date.endsWith('-01'))
                .map(({ p, offset }) => (
                  <text x={LEFT + (Math.floor(offset / 7) - half.firstWeek) * STEP} y={TOP - 5}>
                    {monthName(p.date)}
                  </text>
                ))}
              {mine.map(({ p, offset }) => cell(p, offset, half.firstWeek))}
            </svg>
          )
        })}
      </div>
      <figcaption class="muted">
        <b data-testid="calendar-days">{activeDays}</b> active days from {first} to {today} (UTC).
      </figcaption>
    </figure>
  )
}
