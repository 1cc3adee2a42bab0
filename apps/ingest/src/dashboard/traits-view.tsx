/**
 * @module
 * Who a user or an account is: the well-known traits (name, e-mail, plan, MRR) for lists, and
 * every trait as it was sent for the profile pages.
 */

import type { Traits } from '../insights/traits.js'

/** The traits of a list item or profile; `{}` when it has none. */
export const traitsOfItem = (item: object): Traits =>
  'traits' in item && item.traits !== null && typeof item.traits === 'object'
    ? (item.traits as Traits)
    : {}

/** A trait as text: strings as they are, anything else as JSON. */
export const traitText = (value: unknown): string =>
  typeof value === 'string' ? value : JSON.stringify(value)

/** A trait that is a string, or undefined. */
export const textTrait = (traits: Traits, key: string): string | undefined =>
  typeof traits[key] === 'string' ? (traits[key] as string) : undefined

/** `mrr`, when it is a number. */
export const mrrOf = (traits: Traits): number | undefined =>
  typeof traits.mrr === 'number' && Number.isFinite(traits.mrr) ? traits.mrr : undefined

/** MRR as written on the page: `1,250.5`, or `—` when unknown. */
export const formatMrr = (mrr: number | undefined) =>
  mrr === undefined ? '—' : mrr.toLocaleString('en-US', { maximumFractionDigits: 2 })

/**
 * Who a list item is: its name (or id) linked to its page, the id when a name is shown, and the
 * e-mail of a user.
 */
export function Who(props: { id: string; href: string; traits: Traits }) {
  const name = textTrait(props.traits, 'name')
  const email = textTrait(props.traits, 'email')
  return (
    <span class="who">
      <a href={props.href}>{name ?? props.id}</a>
      {name !== undefined && <small class="muted"> {props.id}</small>}
      {email !== undefined && <small class="muted email">{email}</small>}
    </span>
  )
}

/** Every trait of a profile, in the order of the answer (alphabetical). */
export function TraitsList(props: { traits: Traits }) {
  const entries = Object.entries(props.traits)
  if (entries.length === 0) {
    return <p class="muted">No traits yet: send them with identify() or group().</p>
  }
  return (
    <dl class="traits" data-testid="traits">
      {entries.map(([key, value]) => (
        <div>
          <dt>{key}</dt>
          <dd class="wrap">{traitText(value)}</dd>
        </div>
      ))}
    </dl>
  )
}
