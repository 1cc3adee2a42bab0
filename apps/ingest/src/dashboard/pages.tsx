/**
 * @module
 * The dashboard's pages: sign-in, the morning overview, a user, an account. Each is a plain
 * function of data already fetched by the routes.
 */
import type { AccountProfile } from '../insights/accounts.js'
import type { ActiveAnswer } from '../insights/active.js'
import type { RecentActivity } from '../insights/activity.js'
import type { EventsAnswer } from '../insights/events.js'
import type { FrequencyAnswer } from '../insights/frequency.js'
import type { InactiveAnswer } from '../insights/inactive.js'
import type { UserProfile } from '../insights/users.js'
import { ActiveChart } from './chart.js'
import { accountHref, InactiveTable, type SortState, userHref } from './inactive-table.js'
import { Layout } from './layout.js'

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : 'never')
const time = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'never')

export function SignInPage(props: { error?: string | undefined }) {
  return (
    <Layout title="Sign in" signedIn={false}>
      <section style="max-width:420px;margin:3rem auto">
        <h2>Sign in with your project's read key</h2>
        <form method="post" action="/session">
          <p>
            <input
              type="password"
              name="key"
              placeholder="lsr_…"
              aria-label="Read key"
              autocomplete="current-password"
              required
              style="width:100%"
            />
          </p>
          {props.error && <p class="error">{props.error}</p>}
          <button type="submit">Sign in</button>
        </form>
        <p class="muted">
          The read key was printed on the service's first start, or set with LASTSEEN_READ_KEY.
        </p>
      </section>
    </Layout>
  )
}

export interface OverviewData {
  active: ActiveAnswer
  users: InactiveAnswer
  accounts: InactiveAnswer
  userSort: SortState
  accountSort: SortState
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
              <th style="width:40%" />
            </tr>
          </thead>
          <tbody>
            {events.events.slice(0, 10).map((e) => (
              <tr>
                <td>{e.event}</td>
                <td class="n">{e.count}</td>
                <td class="n">{e.users}</td>
                <td>
                  <div class="bar" style={`width:${(100 * e.count) / topMax}%`} />
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
            <th style="width:60%" />
          </tr>
        </thead>
        <tbody>
          {answer.distribution.map((b) => (
            <tr>
              <td>{b.daysPerWeek === 0 ? 'under ½' : b.daysPerWeek}</td>
              <td class="n">{b.users}</td>
              <td>
                <div class="bar" style={`width:${(100 * b.users) / most}%`} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}

function Recent(props: { activity: RecentActivity }) {
  const { activity } = props
  return (
    <>
      <div class="tiles">
        <div class="tile">
          <b>{activity.last7Days.activeDays}</b>
          <span>active days, last 7</span>
        </div>
        <div class="tile">
          <b>{activity.last30Days.activeDays}</b>
          <span>active days, last 30</span>
        </div>
        <div class="tile">
          <b>{activity.last7Days.events}</b>
          <span>events, last 7 days</span>
        </div>
        <div class="tile">
          <b>{activity.last30Days.events}</b>
          <span>events, last 30 days</span>
        </div>
      </div>
      <h2 style="margin-top:1rem">Top events, last 30 days</h2>
      <ul>
        {activity.topEvents.length === 0 && <li class="muted">none</li>}
        {activity.topEvents.map((e) => (
          <li>
            {e.event}: {e.count}
          </li>
        ))}
      </ul>
    </>
  )
}

export function UserPage(props: { user: UserProfile }) {
  const { user } = props
  return (
    <Layout title={`User ${user.userId}`} signedIn={true}>
      <section>
        <h2 data-testid="user-title">User {user.userId}</h2>
        <p>
          Account:{' '}
          {user.accountId ? <a href={accountHref(user.accountId)}>{user.accountId}</a> : 'none'} ·
          First seen {day(user.firstSeen)} · Last seen{' '}
          <b data-testid="last-seen">{time(user.lastSeen)}</b> · Last sign-in{' '}
          {time(user.lastSignIn)}
        </p>
        <Recent activity={user} />
      </section>
    </Layout>
  )
}

export function AccountPage(props: { account: AccountProfile }) {
  const { account } = props
  return (
    <Layout title={`Account ${account.accountId}`} signedIn={true}>
      <section>
        <h2 data-testid="account-title">Account {account.accountId}</h2>
        <p>
          First seen {day(account.firstSeen)} · Last seen <b>{time(account.lastSeen)}</b> ·{' '}
          {account.userCount} users
        </p>
        <Recent activity={account} />
      </section>
      <section>
        <h2>Users</h2>
        <table data-testid="account-users">
          <thead>
            <tr>
              <th>User</th>
              <th>First seen</th>
              <th>Last seen</th>
            </tr>
          </thead>
          <tbody>
            {account.users.map((u) => (
              <tr>
                <td>
                  <a href={userHref(u.userId)}>{u.userId}</a>
                </td>
                <td>{day(u.firstSeen)}</td>
                <td>{time(u.lastSeen)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Layout>
  )
}

export function NotFoundPage(props: { what: string }) {
  return (
    <Layout title="Not found" signedIn={true}>
      <section>
        <h2>Not found</h2>
        <p>
          No {props.what} here yet. <a href="/">Back to the overview</a>
        </p>
      </section>
    </Layout>
  )
}
