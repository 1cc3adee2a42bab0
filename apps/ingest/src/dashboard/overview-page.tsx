/**
 * @module
 * The morning overview, in the order a founder reads it: the chosen period against the one
 * before (with the active users chart), the users and accounts gone quiet, how often users
 * come back, and the top events.
 */
import type { ActiveAnswer } from '../insights/active.js'
import { daysBetween } from '../insights/days.js'
import type { EventsAnswer } from '../insights/events.js'
import type { FrequencyAnswer } from '../insights/frequency.js'
import type { InactiveAnswer } from '../insights/inactive.js'
import type { SummaryAnswer } from '../insights/summary.js'
import { ActiveChart } from './chart.js'
import { Controls, hrefWith, type ViewState } from './controls.js'
import { InactiveTable, type ListState } from './inactive-table.js'
import { Layout } from './layout.js'
import { PeriodSummary } from './period-summary.js'

export interface OverviewData {
  view: ViewState
  today: string
  quietChoices: readonly string[]
  /** A parameter of the page that was not understood, said on the page. */
  error?: string | undefined
  summary: SummaryAnswer
  active: ActiveAnswer
  users: InactiveAnswer
  accounts: InactiveAnswer
  userSort: ListState
  accountSort: ListState
  events: EventsAnswer
  frequency: FrequencyAnswer
  query: Record<string, string>
}

export function OverviewPage(props: OverviewData) {
  const { active, events, view, summary, today } = props
  const last = active.series.at(-1)
  const days = daysBetween(view.from, view.to)
  const topMax = Math.max(1, ...events.events.map((e) => e.count))
  const partial = view.to === today
  const exportHref = (level: 'user' | 'account') => {
    const prefix = level === 'user' ? 'u' : 'a'
    return hrefWith(
      {},
      {
        level,
        quiet: view.quiet,
        sort: props.query[`${prefix}sort`],
        order: props.query[`${prefix}order`],
      },
      '/export/inactive.csv',
    )
  }
  return (
    <Layout title="Overview" signedIn={true}>
      <Controls
        view={view}
        today={today}
        quietChoices={props.quietChoices}
        query={props.query}
        error={props.error}
      />
      <section aria-labelledby="period">
        <h2 id="period">
          {view.from} to {view.to}{' '}
          <span class="muted">
            ({days} days{partial ? ', today so far' : ''}) against the {days} days before (
            {summary.previous.from} to {summary.previous.to})
          </span>
        </h2>
        <PeriodSummary summary={summary} />
        <h3>Active users</h3>
        <div class="tiles small">
          <div class="tile">
            <b data-testid="dau">{last?.active ?? 0}</b>
            <span>active {partial ? 'today (so far)' : `on ${view.to}`}</span>
          </div>
          <div class="tile">
            <b data-testid="wau">{last?.wau ?? 0}</b>
            <span>in the 7 days to {partial ? 'today' : view.to}</span>
          </div>
          <div class="tile">
            <b data-testid="mau">{last?.mau ?? 0}</b>
            <span>in the 30 days to {partial ? 'today' : view.to}</span>
          </div>
          <div class="tile">
            <b data-testid="stickiness">{Math.round(active.stickiness.ratio * 100)}%</b>
            <span>stickiness (DAU/MAU)</span>
          </div>
        </div>
        <ActiveChart
          series={active.series}
          today={today}
          label={`Daily, weekly and monthly active users, ${view.from} to ${view.to}`}
        />
      </section>
      <section aria-labelledby="quiet-users">
        <h2 id="quiet-users">
          Users gone quiet{' '}
          <span class="muted">
            (not seen for {view.quiet.replace(/d$/, ' days')}; {props.users.total})
          </span>
          <a class="export" href={exportHref('user')} download="">
            CSV
          </a>
        </h2>
        <InactiveTable answer={props.users} state={props.userSort} prefix="u" query={props.query} />
      </section>
      <section aria-labelledby="quiet-accounts">
        <h2 id="quiet-accounts">
          Accounts gone quiet{' '}
          <span class="muted">
            (not seen for {view.quiet.replace(/d$/, ' days')}; {props.accounts.total})
          </span>
          <a class="export" href={exportHref('account')} download="">
            CSV
          </a>
        </h2>
        <InactiveTable
          answer={props.accounts}
          state={props.accountSort}
          prefix="a"
          query={props.query}
        />
      </section>
      <Frequency answer={props.frequency} />
      <section aria-labelledby="top-events">
        <h2 id="top-events">
          Top events{' '}
          <span class="muted">
            ({view.from} to {view.to})
          </span>
        </h2>
        <table data-testid="top-events">
          <thead>
            <tr>
              <th>Event</th>
              <th class="n">Count</th>
              <th class="n">Users</th>
              <th class="w40" />
            </tr>
          </thead>
          <tbody>
            {events.events.length === 0 && (
              <tr>
                <td colspan={4} class="muted">
                  No events in this period.
                </td>
              </tr>
            )}
            {events.events.slice(0, 10).map((e) => (
              <tr>
                <td class="wrap">{e.event}</td>
                <td class="n">{e.count}</td>
                <td class="n">{e.users}</td>
                <td>
                  <Bar share={e.count / topMax} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Layout>
  )
}

function Frequency(props: { answer: FrequencyAnswer }) {
  const { answer } = props
  const most = Math.max(1, ...answer.distribution.map((b) => b.users))
  return (
    <section aria-labelledby="frequency">
      <h2 id="frequency">
        How often users come back{' '}
        <span class="muted">
          (the {answer.weeks} weeks to {answer.to}: {answer.averageDaysPerWeek.toFixed(1)} active
          days a week on average)
        </span>
      </h2>
      <table data-testid="frequency">
        <thead>
          <tr>
            <th>Days a week</th>
            <th class="n">Users</th>
            <th class="w60" />
          </tr>
        </thead>
        <tbody>
          {answer.distribution.map((b) => (
            <tr>
              <td>{b.daysPerWeek === 0 ? 'under ½' : b.daysPerWeek}</td>
              <td class="n">{b.users}</td>
              <td>
                <Bar share={b.users / most} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}

/** A horizontal bar `share` (0–1) of the cell wide. */
export function Bar(props: { share: number }) {
  return (
    <svg class="bar" aria-hidden="true">
      <rect width={`${(100 * props.share).toFixed(1)}%`} height="100%" rx="3" />
    </svg>
  )
}
