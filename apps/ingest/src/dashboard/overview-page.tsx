/**
 * @module
 * The morning overview: active users chart and stickiness, the users and accounts gone quiet,
 * how often users come back, and the top events.
 */
import type { ActiveAnswer } from '../insights/active.js'
import type { EventsAnswer } from '../insights/events.js'
import type { FrequencyAnswer } from '../insights/frequency.js'
import type { InactiveAnswer } from '../insights/inactive.js'
import { ActiveChart } from './chart.js'
import { InactiveTable, type ListState } from './inactive-table.js'
import { Layout } from './layout.js'

export interface OverviewData {
  active: ActiveAnswer
  users: InactiveAnswer
  accounts: InactiveAnswer
  userSort: ListState
  accountSort: ListState
  events: EventsAnswer
  frequency: FrequencyAnswer
  after: string
  query: Record<string, string>
}

export function OverviewPage(props: OverviewData) {
  const { active, events } = props
  const today = active.series.at(-1)
  const topMax = Math.max(1, ...events.events.map((e) => e.count))
  return (
    <Layout title="Overview" signedIn={true}>
      <section>
        <h2>Active users, last 30 days</h2>
        <div class="tiles">
          <div class="tile">
            <b data-testid="dau">{today?.active ?? 0}</b>
            <span>active today</span>
          </div>
          <div class="tile">
            <b data-testid="wau">{today?.wau ?? 0}</b>
            <span>last 7 days</span>
          </div>
          <div class="tile">
            <b data-testid="mau">{today?.mau ?? 0}</b>
            <span>last 30 days</span>
          </div>
          <div class="tile">
            <b>{Math.round(active.stickiness.ratio * 100)}%</b>
            <span>stickiness (DAU/MAU)</span>
          </div>
        </div>
        <ActiveChart series={active.series} />
      </section>
      <section>
        <h2>
          Users gone quiet{' '}
          <span class="muted">
            (not seen for {props.after}; {props.users.total})
          </span>
        </h2>
        <InactiveTable answer={props.users} state={props.userSort} prefix="u" query={props.query} />
      </section>
      <section>
        <h2>
          Accounts gone quiet{' '}
          <span class="muted">
            (not seen for {props.after}; {props.accounts.total})
          </span>
        </h2>
        <InactiveTable
          answer={props.accounts}
          state={props.accountSort}
          prefix="a"
          query={props.query}
        />
      </section>
      <Frequency answer={props.frequency} />
      <section>
        <h2>Top events, last 30 days</h2>
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
            {events.events.slice(0, 10).map((e) => (
              <tr>
                <td>{e.event}</td>
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
    <section>
      <h2>
        How often users come back{' '}
        <span class="muted">
          (last {answer.weeks} weeks: {answer.averageDaysPerWeek.toFixed(1)} active days a week on
          average)
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
function Bar(props: { share: number }) {
  return (
    <svg class="bar" aria-hidden="true">
      <rect width={`${(100 * props.share).toFixed(1)}%`} height="100%" rx="3" />
    </svg>
  )
}
