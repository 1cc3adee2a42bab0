/**
 * @module
 * A user's page (a year of active days, the latest events, activity) and an account's page
 * (its activity trend, its users with the quiet ones marked), and the page for one that does
 * not exist.
 */
import type { AccountProfile } from '../insights/accounts.js'
import type { ActiveAnswer } from '../insights/active.js'
import type { RecentActivity } from '../insights/activity.js'
import type { EventsAnswer } from '../insights/events.js'
import type { UserProfile } from '../insights/users.js'
import { ActivityCalendar } from './calendar.js'
import { ActiveChart } from './chart.js'
import { accountHref, userHref } from './inactive-table.js'
import { Layout } from './layout.js'
import { formatMrr, mrrOf, TraitsList, textTrait } from './traits-view.js'

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : 'never')
const time = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'never')

/** A name, and an e-mail or MRR, under a profile's title, when known. */
function Identity(props: { name: string | undefined; detail: string | undefined }) {
  if (props.name === undefined && props.detail === undefined) return null
  return (
    <p class="identity" data-testid="identity">
      {props.name && <b>{props.name}</b>}
      {props.name && props.detail && ' · '}
      {props.detail}
    </p>
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

export function UserPage(props: {
  user: UserProfile
  /** A year of days ending today, for the calendar. */
  year: ActiveAnswer
  /** The user's events of the last 30 days, per name and day. */
  events: EventsAnswer
  today: string
}) {
  const { user } = props
  // The latest days first; on a day, the most frequent event first.
  const latest = props.events.events
    .flatMap((e) => e.days.map((d) => ({ event: e.event, date: d.date, count: d.count })))
    .sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : b.count - a.count))
    .slice(0, 20)
  return (
    <Layout title={`User ${user.userId}`} signedIn={true}>
      <section>
        <h2 data-testid="user-title" class="wrap">
          User {user.userId}
        </h2>
        <Identity name={textTrait(user.traits, 'name')} detail={textTrait(user.traits, 'email')} />
        <p>
          Account:{' '}
          {user.accountId ? <a href={accountHref(user.accountId)}>{user.accountId}</a> : 'none'} ·
          First seen {day(user.firstSeen)} · Last seen{' '}
          <b data-testid="last-seen">{time(user.lastSeen)}</b> · Last sign-in{' '}
          {time(user.lastSignIn)}
        </p>
        <Recent activity={user} />
      </section>
      <section aria-labelledby="traits">
        <h2 id="traits">Traits</h2>
        <TraitsList traits={user.traits} />
      </section>
      <section aria-labelledby="calendar">
        <h2 id="calendar">Active days, the last year</h2>
        <ActivityCalendar series={props.year.series} today={props.today} />
      </section>
      <section aria-labelledby="latest">
        <h2 id="latest">
          Latest events <span class="muted">(the last 30 days, by day)</span>
        </h2>
        <table data-testid="latest-events">
          <thead>
            <tr>
              <th>Day</th>
              <th>Event</th>
              <th class="n">Count</th>
            </tr>
          </thead>
          <tbody>
            {latest.length === 0 && (
              <tr>
                <td colspan={3} class="muted">
                  No events in the last 30 days (heartbeats are not events).
                </td>
              </tr>
            )}
            {latest.map((e) => (
              <tr>
                <td>{e.date}</td>
                <td class="wrap">{e.event}</td>
                <td class="n">{e.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Layout>
  )
}

export function AccountPage(props: {
  account: AccountProfile
  /** The account's users' DAU / WAU / MAU over the trend's days. */
  trend: ActiveAnswer
  today: string
  /** Last seen before this time is quiet (ISO 8601), and the threshold as written: `14d`. */
  quietBefore: string
  quiet: string
}) {
  const { account, trend } = props
  const quietUsers = account.users.filter((u) => u.lastSeen < props.quietBefore).length
  return (
    <Layout title={`Account ${account.accountId}`} signedIn={true}>
      <section>
        <h2 data-testid="account-title" class="wrap">
          Account {account.accountId}
        </h2>
        <Identity
          name={textTrait(account.traits, 'name')}
          detail={
            mrrOf(account.traits) === undefined
              ? undefined
              : `MRR ${formatMrr(mrrOf(account.traits))}`
          }
        />
        <p>
          First seen {day(account.firstSeen)} · Last seen <b>{time(account.lastSeen)}</b> ·{' '}
          {account.userCount} users, <span data-testid="quiet-count">{quietUsers}</span> quiet
        </p>
        <Recent activity={account} />
      </section>
      <section aria-labelledby="traits">
        <h2 id="traits">Traits</h2>
        <TraitsList traits={account.traits} />
      </section>
      <section aria-labelledby="trend">
        <h2 id="trend">
          Its active users{' '}
          <span class="muted">
            ({trend.from} to {trend.to})
          </span>
        </h2>
        <ActiveChart
          series={trend.series}
          today={props.today}
          label={`Daily, weekly and monthly active users of ${account.accountId}, ${trend.from} to ${trend.to}`}
        />
      </section>
      <section aria-labelledby="members">
        <h2 id="members">
          Users{' '}
          <span class="muted">(quiet: not seen for {props.quiet.replace(/d$/, ' days')})</span>
        </h2>
        <table class="cards" data-testid="account-users">
          <thead>
            <tr>
              <th>User</th>
              <th>Name</th>
              <th>E-mail</th>
              <th>Plan</th>
              <th>First seen</th>
              <th>Last seen</th>
            </tr>
          </thead>
          <tbody>
            {account.users.map((u) => {
              const quiet = u.lastSeen < props.quietBefore
              return (
                <tr class={quiet ? 'quiet' : undefined} data-quiet={quiet ? '' : undefined}>
                  <td data-label="User">
                    <a href={userHref(u.userId)}>{u.userId}</a>
                    {quiet && <span class="badge">quiet</span>}
                  </td>
                  <td data-label="Name" class="wrap">
                    {textTrait(u.traits, 'name') ?? '—'}
                  </td>
                  <td data-label="E-mail" class="wrap">
                    {textTrait(u.traits, 'email') ?? '—'}
                  </td>
                  <td data-label="Plan">{textTrait(u.traits, 'plan') ?? '—'}</td>
                  <td data-label="First seen">{day(u.firstSeen)}</td>
                  <td data-label="Last seen">{time(u.lastSeen)}</td>
                </tr>
              )
            })}
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
