/**
 * @module
 * What the search box found: users and accounts whose id starts with the text, or whose name
 * or e-mail holds it (`GET /v1/users?search=`, `GET /v1/accounts?search=`).
 */
import type { SearchAnswer } from '../insights/search.js'
import { accountHref, userHref } from './inactive-table.js'
import { Layout } from './layout.js'
import { formatMrr, mrrOf, textTrait, Who } from './traits-view.js'

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : 'never active')

function Found(props: { answer: SearchAnswer; level: 'user' | 'account' }) {
  const { answer, level } = props
  const isUser = level === 'user'
  return (
    <section aria-labelledby={`found-${level}s`}>
      <h2 id={`found-${level}s`}>
        {isUser ? 'Users' : 'Accounts'} <span class="muted">({answer.total})</span>
      </h2>
      <table class="cards" data-testid={`found-${level}s`}>
        <thead>
          <tr>
            <th>{isUser ? 'User' : 'Account'}</th>
            <th>{isUser ? 'E-mail' : 'MRR'}</th>
            <th>{isUser ? 'Account' : 'First seen'}</th>
            <th>Last seen</th>
          </tr>
        </thead>
        <tbody>
          {answer.items.length === 0 && (
            <tr>
              <td colspan={4} class="muted empty">
                None.
              </td>
            </tr>
          )}
          {answer.items.map((item) => {
            const id = item.userId ?? item.accountId ?? ''
            return (
              <tr data-id={id}>
                <td data-label={isUser ? 'User' : 'Account'}>
                  <Who
                    id={id}
                    href={isUser ? userHref(id) : accountHref(id)}
                    traits={{ ...item.traits, email: undefined }}
                  />
                </td>
                {isUser ? (
                  <>
                    <td data-label="E-mail" class="wrap">
                      {textTrait(item.traits, 'email') ?? '—'}
                    </td>
                    <td data-label="Account">
                      {item.accountId ? (
                        <a href={accountHref(item.accountId)}>{item.accountId}</a>
                      ) : (
                        '—'
                      )}
                    </td>
                  </>
                ) : (
                  <>
                    <td data-label="MRR">{formatMrr(mrrOf(item.traits))}</td>
                    <td data-label="First seen">{day(item.firstSeen)}</td>
                  </>
                )}
                <td data-label="Last seen">{day(item.lastSeen)}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </section>
  )
}

export function SearchPage(props: { text: string; users: SearchAnswer; accounts: SearchAnswer }) {
  return (
    <Layout title={`Search: ${props.text}`} signedIn={true} search={props.text}>
      <section>
        <h2 class="wrap" data-testid="search-title">
          Found for “{props.text}”{' '}
          <span class="muted">(ids that start with it, names and e-mails that hold it)</span>
        </h2>
      </section>
      <Found answer={props.users} level="user" />
      <Found answer={props.accounts} level="account" />
    </Layout>
  )
}
