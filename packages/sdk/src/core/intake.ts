/**
 * @module
 * What becomes of an event before it is queued: `beforeSend` may change or drop it, then it is
 * serialized once (the queue keeps the text) and measured against the protocol's per-event
 * limit. An event that fails any of this is refused here, so it can never hold a batch hostage.
 */
import { LIMITS, utf8Length, type WireEvent } from '@lastseen/protocol'
import type { Config } from '../config.js'
import type { QueuedEvent } from './queue.js'

/** Refuse `n` events: counted as rejected and reported as `invalid_event`. */
export type Refuse = (message: string, n?: number, cause?: unknown) => void

/** The queued form of events, or `undefined` when one is dropped by `beforeSend` or refused. */
export function createIntake(config: Config, refuse: Refuse) {
  /** `fast`: an event `track()` or the heartbeat built, serialized by {@link quickJson}. */
  return (input: WireEvent, fast = false): QueuedEvent | undefined => {
    let event: WireEvent | null | undefined = input
    if (config.beforeSend) {
      try {
        event = config.beforeSend(input)
      } catch (error) {
        refuse(`beforeSend threw: ${String(error)}`, 1, error)
        return
      }
      if (!event) return
    }
    let json: string
    try {
      json = (fast && !config.beforeSend && quickJson(input)) || JSON.stringify(event)
    } catch (error) {
      refuse(`event is not serializable: ${String(error)}`, 1, error)
      return
    }
    // The event's size as the protocol counts it (eventBytes), from the text already at hand.
    const bytes = utf8Length(json)
    if (bytes > LIMITS.maxEventBytes) {
      const name = event.type === 'track' ? event.event : event.type
      refuse(`event '${name}' is ${bytes} bytes, over the ${LIMITS.maxEventBytes}-byte limit`)
      return
    }
    return { id: event.id, json, bytes }
  }
}

const str = JSON.stringify

/**
 * `JSON.stringify(event)` for the `track` and `seen` events the core builds (keys in this
 * order, `id` a UUID, `timestamp` ISO text, both free of anything to escape), about twice as
 * fast on the `track()` path; '' for what it does not cover, which then takes the general way.
 */
export function quickJson(event: WireEvent): string {
  if (event.type !== 'track' && event.type !== 'seen') return ''
  const { accountId } = event
  let text = `{"id":"${event.id}","type":"${event.type}"`
  if (event.type === 'track') text += `,"event":${str(event.event)}`
  text += `,"userId":${str(event.userId)}`
  if (accountId !== undefined) {
    if (typeof accountId !== 'string') return ''
    text += `,"accountId":${str(accountId)}`
  }
  text += `,"timestamp":"${event.timestamp}"`
  if (event.type === 'track' && event.properties !== undefined) {
    const properties = str(event.properties) as string | undefined
    if (properties === undefined) return ''
    text += `,"properties":${properties}`
  }
  return `${text}}`
}
