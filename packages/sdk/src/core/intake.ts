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
  return (input: WireEvent): QueuedEvent | undefined => {
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
      json = JSON.stringify(event)
    } catch (error) {
      refuse(`event is not serializable: ${String(error)}`, 1, error)
      return
    }
    // The event's size as the protocol counts it (eventBytes), from the text already at hand.
    const bytes = byteLength(json)
    if (bytes > LIMITS.maxEventBytes) {
      const name = event.type === 'track' ? event.event : event.type
      refuse(`event '${name}' is ${bytes} bytes, over the ${LIMITS.maxEventBytes}-byte limit`)
      return
    }
    return { id: event.id, json, bytes }
  }
}

const encoder = new TextEncoder()
/** Where the UTF-8 of an event of usual size is written to be measured (allocated once). */
let scratch: Uint8Array | undefined

/**
 * `utf8Length(text)`, the size the protocol counts: events of usual size are encoded into one
 * reused buffer, which allocates nothing and beats scanning for non-ASCII first.
 */
function byteLength(text: string): number {
  if (text.length > 4096) return utf8Length(text)
  scratch ??= new Uint8Array(3 * 4096)
  return encoder.encodeInto(text, scratch).written
}
