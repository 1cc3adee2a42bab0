/**
 * @module
 * The declining accounts or users of the overview ("Slipping"): still active, but much less
 * than before (`GET /v1/declining`), with who they are (name, e-mail, plan, MRR) and how far
 * they dropped.
 */
import type { DecliningAnswer } from '../insights/declining.js'
import { accountHref, userHref } from './inactive-table.js'
import { formatMrr, mrrOf, textTrait, Who } from './traits-view.js'

const day = (iso: string) => iso.slice(0, 10)

/** `71%`: how far below what was expected. */
export const dropText = (drop: number) => `${Math.round(drop * 100)}%`

/** Expected active days, to one decimal when not whole. */
const expectedText = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1))

export function SlippingTable(props: { answer: DecliningAnswer; quiet?: string | undefined }) {
  const { answer } = props
  const isUser = answer.level === 'user'
  const unit = isUser ? 'active days' : 'active user-days'
  return (
    <table class="cards" data-testid={`declining-${answer.level}s`}>
      <caption class="muted">
        {answer.total > 0 && `${answer.items.length} of ${answer.total}. `}
        {unit} in the last {answer.window.days} days against what the {answer.baseline.days} days
        before would give.
      </caption>
      <thead>
        <tr>
          <th>{isUser ? 'User' : 'Account'}</th>
          <th>{isUser ? 'E-mail' : 'MRR'}</th>
          <th>{isUser ? 'Plan' : 'Last seen'}</th>
          <th class="n">Recent</th>
          <th class="n">Expected</th>
          <th class="n">Drop</th>
        </tr>
      </thead>
      <tbody>
        {answer.items.length === 0 && (
          <tr>
            <td colspan={6} class="muted empty">
              No one is slipping.
            </td>
          </tr>
        )}
        {answer.items.map((item) => {
          const { traits } = item
          const id = item.userId ?? item.accountId ?? ''
          return (
            <tr data-id={id}>
              <td data-label={isUser ? 'User' : 'Account'}>
                <Who
                  id={id}
                  href={isUser ? userHref(id) : accountHref(id, props.quiet)}
                  traits={isUser ? { ...traits, email: undefined } : traits}
                />
              </td>
              {isUser ? (
                <>
                  <td data-label="E-mail" class="wrap">
                    {textTrait(traits, 'email') ?? <span class="muted">—</span>}
                  </td>
                  <td data-label="Plan">
                    {textTrait(traits, 'plan') ?? <span class="muted">—</span>}
                  </td>
                </>
              ) : (
                <>
                  <td data-label="MRR">{formatMrr(mrrOf(traits))}</td>
                  <td data-label="Last seen">{day(item.lastSeen)}</td>
                </>
              )}
              <td class="n" data-label="Recent">
                {item.recent}
              </td>
              <td class="n" data-label="Expected">
                {expectedText(item.expected)}
              </td>
              <td class="n" data-label="Drop">
                <b class="down">−{dropText(item.drop)}</b>
              </td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}
