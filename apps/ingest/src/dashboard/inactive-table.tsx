/**
 * @module
 * The inactive users or accounts list of the dashboard, sortable by any column through plain
 * links (`?usort=events&uorder=desc`), each row linked to its user or account page.
 */
import type { InactiveAnswer, InactiveSort } from '../insights/inactive.js'
import { hrefWith } from './controls.js'
import { formatMrr, mrrOf, Who } from './traits-view.js'

/** How a list is sorted, and which page of it is shown. */
export interface ListState {
  sort: InactiveSort
  order: 'asc' | 'desc'
  offset: number
}

const COLUMNS: { sort: InactiveSort; label: string; numeric?: boolean }[] = [
  { sort: 'last_seen', label: 'Last seen' },
  { sort: 'first_seen', label: 'First seen' },
  { sort: 'active_days', label: 'Active days', numeric: true },
  { sort: 'events', label: 'Events', numeric: true },
]

const day = (iso: string) => iso.slice(0, 10)
export const userHref = (id: string) => `/users/${encodeURIComponent(id)}`
/** An account's page; `quiet` carries the overview's quiet threshold to its list of users. */
export const accountHref = (id: string, quiet?: string) =>
  `/accounts/${encodeURIComponent(id)}${quiet ? `?quiet=${encodeURIComponent(quiet)}` : ''}`

export function InactiveTable(props: {
  answer: InactiveAnswer
  state: ListState
  /** `u` for users, `a` for accounts: the query parameter prefix. */
  prefix: 'u' | 'a'
  /** The page's other query parameters, kept in the sort links. */
  query: Record<string, string>
}) {
  const { answer, state, prefix, query } = props
  const link = (changes: Record<string, string | undefined>) =>
    hrefWith(
      query,
      Object.fromEntries(Object.entries(changes).map(([k, v]) => [`${prefix}${k}`, v])),
    )
  // A new sort starts again from the first page.
  const href = (sort: InactiveSort) =>
    link({
      sort,
      order: state.sort === sort && state.order === 'desc' ? 'asc' : 'desc',
      offset: undefined,
    })
  const { offset, limit, total, nextOffset } = answer
  const previous = offset > 0 ? Math.max(0, offset - limit) : undefined
  const isUser = answer.level === 'user'
  // MRR is an account trait: accounts are also sorted by it.
  const columns = isUser
    ? COLUMNS
    : [{ sort: 'mrr' as const, label: 'MRR', numeric: true }, ...COLUMNS]
  return (
    <table class="cards" data-testid={`inactive-${answer.level}s`}>
      <caption class="muted">
        {total > 0 && `${offset + 1}–${offset + answer.items.length} of ${total}. `}
        {previous !== undefined && (
          <a href={link({ offset: previous ? String(previous) : undefined })} rel="prev">
            ← Previous
          </a>
        )}{' '}
        {nextOffset !== null && (
          <a href={link({ offset: String(nextOffset) })} rel="next">
            Next →
          </a>
        )}{' '}
        Active days and events: the 30 days up to the last time seen.
      </caption>
      <thead>
        <tr>
          <th>{isUser ? 'User' : 'Account'}</th>
          <th>{isUser ? 'Account' : 'Users'}</th>
          {columns.map((col) => (
            <th
              class={col.numeric ? 'n' : undefined}
              aria-sort={
                state.sort === col.sort
                  ? state.order === 'asc'
                    ? 'ascending'
                    : 'descending'
                  : undefined
              }
            >
              <a href={href(col.sort)}>
                {col.label}
                {state.sort === col.sort ? (state.order === 'asc' ? ' ↑' : ' ↓') : ''}
              </a>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {answer.items.length === 0 && (
          <tr>
            <td colspan={columns.length + 2} class="muted empty">
              Nobody went quiet. Good.
            </td>
          </tr>
        )}
        {answer.items.map((item) => (
          <tr data-id={item.userId ?? item.accountId ?? ''}>
            <td data-label={isUser ? 'User' : 'Account'}>
              {item.userId !== undefined ? (
                <Who id={item.userId} href={userHref(item.userId)} traits={item.traits} />
              ) : (
                <Who
                  id={item.accountId ?? ''}
                  href={accountHref(item.accountId ?? '', query.quiet)}
                  traits={item.traits}
                />
              )}
            </td>
            <td data-label={isUser ? 'Account' : 'Users'}>
              {isUser ? (
                item.accountId ? (
                  <a href={accountHref(item.accountId, query.quiet)}>{item.accountId}</a>
                ) : (
                  <span class="muted">—</span>
                )
              ) : (
                item.users
              )}
            </td>
            {!isUser && (
              <td class="n" data-label="MRR">
                {formatMrr(mrrOf(item.traits))}
              </td>
            )}
            <td data-label="Last seen">
              {day(item.lastSeen)} <span class="muted">({item.inactiveDays} days ago)</span>
            </td>
            <td data-label="First seen">{day(item.firstSeen)}</td>
            <td class="n" data-label="Active days">
              {item.priorActivity.activeDays}
            </td>
            <td class="n" data-label="Events">
              {item.priorActivity.events}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
