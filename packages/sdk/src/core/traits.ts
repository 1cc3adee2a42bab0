/**
 * @module
 * The checks on the traits of `identify()` and `group()` before they are queued: a plain object
 * with at most `LIMITS.maxTraitKeys` keys of 1 to `LIMITS.maxNameLength` characters, nested at
 * most `LIMITS.maxPropertiesDepth` levels. The service refuses anything else, so the SDK refuses
 * it first, with a message that says what to fix. The event's size is checked with every other
 * event's, at intake.
 */
import { LIMITS } from '@lastseen/protocol'
import { tooDeep } from './depth.js'

/** Why `traits` cannot be sent ('' when they can). */
export function traitsProblem(traits: unknown): string {
  if (!isPlainObject(traits)) return 'needs traits as a plain object'
  const keys = Object.keys(traits)
  if (keys.length > LIMITS.maxTraitKeys) {
    return `has ${keys.length} traits, over the limit of ${LIMITS.maxTraitKeys}`
  }
  const bad = keys.find((k) => k === '' || k.length > LIMITS.maxNameLength)
  if (bad !== undefined) {
    return `has a trait name of ${bad.length} characters (1 to ${LIMITS.maxNameLength} allowed)`
  }
  if (tooDeep(traits)) return `has traits nested over ${LIMITS.maxPropertiesDepth} levels deep`
  return ''
}

/** An object literal (or `Object.create(null)`), from any realm: not an array, a Date, a Map. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value) as object | null
  return proto === null || Object.getPrototypeOf(proto) === null
}
