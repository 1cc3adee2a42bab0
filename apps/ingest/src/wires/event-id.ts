/**
 * @module
 * Event ids for wires whose message ids are not UUIDs: a name-based UUID (RFC 9562 version 5,
 * SHA-1) of the wire, the project and the client's message id, so a client's retry of the same
 * message gets the same id, and so is a duplicate, while the same message id in another project
 * or on another wire is another event.
 */
import { createHash } from 'node:crypto'

/** The wires whose ids are derived here. */
export type ForeignWire = 'segment' | 'posthog'

/** The lower-case UUID of `messageId`, sent on `wire` to `projectId`. */
export function nameBasedEventId(wire: ForeignWire, projectId: string, messageId: string): string {
  const hash = createHash('sha1').update(`${wire}\u0000${projectId}\u0000${messageId}`).digest()
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50 // version 5
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80 // RFC 9562 variant
  const hex = hash.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
