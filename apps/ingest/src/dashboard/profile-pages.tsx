/**
 * @module
 * A user's page and an account's page (and the page for one that does not exist).
 */
import type { AccountProfile } from '../insights/accounts.js'
import type { RecentActivity } from '../insights/activity.js'
import type { UserProfile } from '../insights/users.js'
import { accountHref, userHref } from './inactive-table.js'
import { Layout } from './layout.js'

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : 'never')
const time = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'never')

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
      <h2 class="spaced">Top events, last 30 days</h2>
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
