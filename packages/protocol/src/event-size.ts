/**
 * @module
 * What "event size" means, for `LIMITS.maxEventBytes`: the number of UTF-8 bytes of the
 * event serialized by `JSON.stringify` (no whitespace), without the envelope around it. The SDK
 * counts the text it sends; the service counts the event it parsed. Both get the same number
 * for the same event, whatever whitespace or escapes a client used.
 */
import type { WireEvent } from './wire.js'

// biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point
const NON_ASCII = /[^\x00-\x7f]/

const encoder = new TextEncoder()

/** UTF-8 length of `text`; ASCII (the common case) is recognised without encoding. */
export const utf8Length = (text: string): number =>
  NON_ASCII.test(text) ? encoder.encode(text).length : text.length

/**
 * The size of `event` as the per-event limit counts it. Whoever already holds the event's JSON
 * text (the SDK queues it) gets the same number from `utf8Length(json)`.
 */
export const eventBytes = (event: WireEvent): number => utf8Length(JSON.stringify(event))
