/**
 * @module
 * Checking the events of a write one by one: each must fit the wire schema and the per-event
 * size limit. A bad event is named in `rejected` and the others are still stored.
 */
import { LIMITS, type RejectedEvent, type WireEvent, type WireTraits } from '@lastseen/protocol'
import { checkWireEvent, nestedDeeperThan, wellFormed } from './validation.js'

/** A valid event, with its properties already serialized (they are stored as JSON text). */
export interface CheckedEvent {
  /** Position in the request's `batch`. */
  index: number
  event: WireEvent
  /** `properties` of a `track` event as JSON text, or `''` (traits are stored per key). */
  properties: string
}

/** The events of a request split into the storable and the refused. */
export interface CheckedEvents {
  valid: CheckedEvent[]
  rejected: RejectedEvent[]
}

/**
 * Bytes of a stored event besides its strings: id, type, times, counts and JSON punctuation.
 *
 * The size checked is the event as stored (200 plus its strings), not `eventBytes` (its JSON, as
 * the SDK counts it): the two disagree within about 100 bytes of the limit (a plain event with
 * 32,600 bytes of properties passes `eventBytes` and is refused here; one full of escaped
 * characters the other way round), so switching would change which events are stored.
 */
const FIXED_BYTES = 200

/** What is wrong with the keys of `traits` (as sent: `raw`), if anything. */
function traitKeysProblem(traits: WireTraits, raw: unknown): string | undefined {
  // zod drops an own `__proto__` key from the object it outputs; refuse it rather than lose it.
  if (typeof raw === 'object' && raw !== null && Object.hasOwn(raw, '__proto__')) {
    return 'traits: the key __proto__ is not allowed'
  }
  const keys = Object.keys(traits)
  if (keys.length > LIMITS.maxTraitKeys) {
    return `traits: ${keys.length} keys; the limit is ${LIMITS.maxTraitKeys} keys per event`
  }
  for (const key of keys) {
    if (key.length < 1 || key.length > LIMITS.maxNameLength) {
      return `traits: every key must be 1 to ${LIMITS.maxNameLength} characters (${JSON.stringify(key.slice(0, 40))}${key.length > 40 ? '…' : ''} is ${key.length})`
    }
    if (!wellFormed(key)) {
      return 'traits: a key is not well-formed UTF-16 (it holds a lone surrogate such as \\ud800)'
    }
  }
  return undefined
}

/** Why `raw` cannot be stored, or the event and its serialized properties. */
export function checkEvent(
  raw: unknown,
): { event: WireEvent; properties: string } | { reason: string; tooLarge?: true } {
  const checked = checkWireEvent(raw)
  if ('reason' in checked) return checked
  const event = checked.event
  const traits = event.type === 'identify' || event.type === 'group' ? event.traits : undefined
  if (traits) {
    const problem = traitKeysProblem(traits, (raw as { traits?: unknown }).traits)
    if (problem) return { reason: problem }
    if (nestedDeeperThan(traits, LIMITS.maxPropertiesDepth)) {
      return {
        reason: `traits: nested deeper than ${LIMITS.maxPropertiesDepth} levels (objects and arrays inside each other)`,
      }
    }
  }
  // Checked before serializing: JSON.stringify recurses, and thousands of levels overflow it.
  if (
    event.type === 'track' &&
    event.properties &&
    nestedDeeperThan(event.properties, LIMITS.maxPropertiesDepth)
  ) {
    return {
      reason: `properties: nested deeper than ${LIMITS.maxPropertiesDepth} levels (objects and arrays inside each other)`,
    }
  }
  const properties =
    event.type === 'track' && event.properties ? JSON.stringify(event.properties) : ''
  // The size of the event as stored: unknown fields are dropped, so they do not count. Traits
  // count like properties (their JSON), though each is stored in a row of its own.
  const bytes =
    FIXED_BYTES +
    Buffer.byteLength(properties) +
    (traits ? Buffer.byteLength(JSON.stringify(traits)) : 0) +
    Buffer.byteLength(event.userId ?? '') +
    Buffer.byteLength(event.accountId ?? '') +
    (event.type === 'track' ? Buffer.byteLength(event.event) : 0)
  if (bytes > LIMITS.maxEventBytes) {
    return {
      reason: `event is ${bytes} bytes; the limit is ${LIMITS.maxEventBytes} bytes (${LIMITS.maxEventBytes / 1024} KB) per event`,
      tooLarge: true,
    }
  }
  return { event, properties }
}

/** Check every event of a batch; `index` is the event's position in the batch. */
export function checkEvents(batch: readonly unknown[]): CheckedEvents {
  const valid: CheckedEvent[] = []
  const rejected: RejectedEvent[] = []
  batch.forEach((raw, index) => {
    const checked = checkEvent(raw)
    if ('reason' in checked) rejected.push({ index, reason: checked.reason })
    else valid.push({ index, ...checked })
  })
  return { valid, rejected }
}
