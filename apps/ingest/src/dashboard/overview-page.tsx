/**
 * @module
 * The morning overview, in the order a founder reads it: the chosen period against the one
 * before (with the active users chart), the accounts and users slipping (active, but much less
 * than before), those gone quiet, lifecycle and retention, how often users come back, and the
 * top events.
 */
import type { ActiveAnswer } from '../insights/active.js'
import { daysBetween } from '../insights/days.js'
import type { DecliningAnswer } from '../insights/declining.js'
import type { EventsAnswer } from '../insights/events.js'
import type { FrequencyAnswer } from '../insights/frequency.js'
import type { InactiveAnswer } from '../insights/inactive.js'
import type { LifecycleAnswer } from '../insights/lifecycle.js'
import type { PeriodInterval } from '../insights/periods.js'
import type { RetentionAnswer } from '../insights/retention.js'
import type { SummaryAnswer } from '../insights/summary.js'
import { ActiveChart } from './chart.js'
import { Controls, hrefWith, type ViewState } from './controls.js'
import { InactiveTable, type ListState } from './inactive-table.js'
import { Layout } from './layout.js'
import { LifecycleTable, RetentionTable } from './lifecycle-retention.js'
import { PeriodSummary } from './period-summary.js'
import { SlippingTable } from './slipping-table.js'

export interface OverviewData {
  view: ViewState
  today: string
  quietChoices: readonly string[]
  /** A parameter of the page that was not understood, said on the page. */
  error?: string | undefined
  summary: SummaryAnswer
  active: ActiveAnswer
  slippingAccounts: DecliningAnswer
  slippingUsers: DecliningAnswer
  users: InactiveAnswer
  accounts: InactiveAnswer
  lifecycle: LifecycleAnswer
  retention: RetentionAnswer
  /** The periods of lifecycle and retention. */
  by: PeriodInterval
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
  const quietFor = view.quiet.replace(/d$/, ' days')
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
      <section aria-labelledby="slipping">
        <h2 id="slipping">
          Slipping{' '}
          <span class="muted">
            (active in the last {props.slippingAccounts.window.days} days, but less than half as
            much as in the {props.slippingAccounts.baseline.days} days before)
          </span>
        </h2>
        <h3 id="slipping-accounts">
          Accounts <span class="muted">({props.slippingAccounts.total})</span>
          <a class="export" href="/export/declining.csv?level=account" download="">
            CSV
          </a>
        </h3>
        <SlippingTable answer={props.slippingAccounts} quiet={props.query.quiet} />
        <h3 id="slipping-users">
          Users <span class="muted">({props.slippingUsers.total})</span>
          <a class="export" href="/export/declining.csv?level=user" download="">
            CSV
          </a>
        </h3>
        <SlippingTable answer={props.slippingUsers} quiet={props.query.quiet} />
      </section>
      <section aria-labelledby="gone-quiet">
        <h2 id="gone-quiet">
          Gone quiet <span class="muted">(not seen for {quietFor})</span>
        </h2>
        <h3 id="quiet-accounts">
          Accounts <span class="muted">({props.accounts.total})</span>
          <a class="export" href={exportHref('account')} download="">
            CSV
          </a>
        </h3>
        <InactiveTable
          answer={props.accounts}
          state={props.accountSort}
          prefix="a"
          query={props.query}
        />
        <h3 id="quiet-users">
          Users <span class="muted">({props.users.total})</span>
          <a class="export" href={exportHref('user')} download="">
            CSV
          </a>
        </h3>
        <InactiveTable answer={props.users} state={props.userSort} prefix="u" query={props.query} />
      </section>
      <section aria-labelledby="lifecycle">
        <h2 id="lifecycle">
          Lifecycle and retention{' '}
          <nav class="presets inline" aria-label="Periods">
            {(['week', 'month'] as const).map((by) => (
              <a
                href={hrefWith(props.query, { by: by === 'week' ? undefined : by })}
                aria-current={props.by === by ? 'true' : undefined}
              >
                by {by}
              </a>
            ))}
          </nav>
        </h2>
        <p class="muted">
          Each {props.by}: users first seen in it (new), active in it and the {props.by} before
          (returning), back after a {props.by} or more away (resurrecting), and active the{' '}
          {props.by} before but not in it (dormant). The current {props.by} counts so far.
        </p>
        <LifecycleTable answer={props.lifecycle} />
        <h3>Retention</h3>
        <p class="muted">
          Users first seen in each {props.by}, and the share of them active 0, 1, 2… {props.by}s
          later.
        </p>
        <RetentionTable answer={props.retention} />
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
