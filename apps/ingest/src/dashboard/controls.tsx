/**
 * @module
 * What the overview shows, chosen on the page with plain GET forms and links (no script
 * needed): the period (`from`, `to`; presets of 7, 30, 90 and 365 days ending today) and the
 * quiet threshold (`quiet`: 7, 14 or 30 days, and the service's `LASTSEEN_INACTIVE_AFTER`).
 */
import { addDays, daysBetween } from '../insights/days.js'

export interface ViewState {
  from: string
  to: string
  /** The quiet threshold, as written in the URL: `14d`. */
  quiet: string
}

const PRESETS = [7, 30, 90, 365]

/** The page's URL with `changes` applied to `query` (undefined removes a parameter). */
export function hrefWith(
  query: Record<string, string>,
  changes: Record<string, string | undefined>,
  path = '/',
): string {
  const params = new URLSearchParams(query)
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) params.delete(k)
    else params.set(k, v)
  }
  const search = params.toString()
  return search ? `${path}?${search}` : path
}

export function Controls(props: {
  view: ViewState
  today: string
  quietChoices: readonly string[]
  query: Record<string, string>
  error?: string | undefined
}) {
  const { view, today, query } = props
  const days = daysBetween(view.from, view.to)
  // The form keeps the lists' sort and page (every other parameter) as hidden fields.
  const kept = Object.entries(query).filter(([k]) => !['from', 'to', 'quiet'].includes(k))
  return (
    <section class="controls" aria-label="What to show">
      <nav class="presets" aria-label="Period">
        {PRESETS.map((n) => {
          const current = view.to === today && days === n
          return (
            <a
              href={hrefWith(query, { from: addDays(today, -(n - 1)), to: today })}
              aria-current={current ? 'true' : undefined}
            >
              {n === 365 ? '1 year' : `${n} days`}
            </a>
          )
        })}
      </nav>
      <form method="get" action="/" class="range">
        {kept.map(([k, v]) => (
          <input type="hidden" name={k} value={v} />
        ))}
        <label>
          From <input type="date" name="from" value={view.from} max={today} required />
        </label>
        <label>
          To <input type="date" name="to" value={view.to} max={today} required />
        </label>
        <label>
          Quiet after{' '}
          <select name="quiet" data-autosubmit="">
            {props.quietChoices.map((q) => (
              <option value={q} selected={q === view.quiet}>
                {q.replace(/d$/, ' days')}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Show</button>
      </form>
      {props.error && (
        <p class="error" role="alert">
          {props.error}
        </p>
      )}
    </section>
  )
}
