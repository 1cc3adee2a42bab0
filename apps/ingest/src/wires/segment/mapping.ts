/**
 * @module
 * Segment messages as lastseen's own events, checked by the same rules (`checkEvent`) as the
 * events of lastseen's SDK, so everything after is the one write path: `track` stays a track
 * event; `page` and `screen` become track events named `page` and `screen` with the page's name
 * in their properties; `identify` sets user traits and `group` account traits; `context.groupId`
 * is the event's account. The event id is derived from `messageId`, so a retried message is a
 * duplicate. A message without a `userId` names no user yet and is not stored (`anonymous`);
 * `alias` is recorded, not merged.
 */
import type { RejectedEvent } from '@lastseen/protocol'
import { describeIssue } from '../../errors.js'
import { type CheckedEvent, checkEvent } from '../../ingest/event-check.js'
import { nameBasedEventId } from '../event-id.js'
import { type SegmentMessage, type SegmentType, segmentMessageSchema } from './schema.js'

/** A message not stored, and why: no user yet, or an alias. */
export interface SkippedMessage {
  index: number
  outcome: 'anonymous' | 'alias'
  message: SegmentMessage
}

/** The messages of a request, as lastseen's events to store, refused, or skipped. */
export interface MappedMessages {
  valid: CheckedEvent[]
  rejected: RejectedEvent[]
  /** Too large for the per-event limit: a single-message route answers 413. */
  tooLarge: Set<number>
  skipped: SkippedMessage[]
  /** The client's send time of the first message that has one (browser clients set it per message). */
  sentAt: string | undefined
}

/** The lastseen event a message stands for (not yet checked), or why it has none. */
function toEvent(
  m: SegmentMessage,
  projectId: string,
): { event: Record<string, unknown> } | { reason: string } | { skip: SkippedMessage['outcome'] } {
  if (m.type === 'alias') return { skip: 'alias' }
  const common = {
    id: nameBasedEventId('segment', projectId, m.messageId),
    timestamp: m.timestamp ?? m.originalTimestamp,
    accountId: m.context?.groupId,
  }
  if (m.type === 'group') {
    if (m.groupId === undefined) return { reason: 'groupId is required' }
    const traits = m.traits ?? {}
    return { event: { ...common, type: 'group', accountId: m.groupId, userId: m.userId, traits } }
  }
  if (m.userId === undefined) {
    return m.anonymousId === undefined
      ? { reason: 'userId or anonymousId is required' }
      : { skip: 'anonymous' }
  }
  if (m.type === 'identify') {
    const traits = m.traits ?? m.context?.traits ?? {}
    return { event: { ...common, type: 'identify', userId: m.userId, traits } }
  }
  if (m.type === 'track') {
    if (m.event === undefined) return { reason: 'event is required' }
    const { event, userId, properties } = m
    return { event: { ...common, type: 'track', event, userId, properties } }
  }
  const properties: Record<string, unknown> = { ...m.properties }
  if (m.name !== undefined) properties.name = m.name
  if (m.category !== undefined) properties.category = m.category
  return { event: { ...common, type: 'track', event: m.type, userId: m.userId, properties } }
}

/** An object's own keys whose value is `undefined` left out, as a sent event would have them. */
const defined = (event: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(event).filter(([, v]) => v !== undefined))

/**
 * Map and check each message of a request on its own.
 * @param type the type of a single-message route (it wins over the body's), none for a batch
 * @param context the batch's `context`, under each message's own
 */
export function mapMessages(
  projectId: string,
  raw: readonly unknown[],
  { type, context }: { type?: SegmentType; context?: Record<string, unknown> | undefined } = {},
): MappedMessages {
  const mapped: MappedMessages = {
    valid: [],
    rejected: [],
    tooLarge: new Set(),
    skipped: [],
    sentAt: undefined,
  }
  raw.forEach((item, index) => {
    let input = item
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      const own = item as Record<string, unknown>
      const ownContext = own.context
      input = {
        ...own,
        ...(type ? { type } : {}),
        ...(context && (typeof ownContext === 'object' || ownContext === undefined)
          ? { context: { ...context, ...(ownContext as object | undefined) } }
          : {}),
      }
    }
    const parsed = segmentMessageSchema.safeParse(input)
    if (!parsed.success) {
      mapped.rejected.push({ index, reason: describeIssue(parsed.error) })
      return
    }
    const message = parsed.data
    mapped.sentAt ??= message.sentAt
    const found = toEvent(message, projectId)
    if ('skip' in found) {
      mapped.skipped.push({ index, outcome: found.skip, message })
      return
    }
    if ('reason' in found) {
      mapped.rejected.push({ index, reason: found.reason })
      return
    }
    const checked = checkEvent(defined(found.event))
    if ('reason' in checked) {
      mapped.rejected.push({ index, reason: checked.reason })
      if (checked.tooLarge) mapped.tooLarge.add(index)
    } else mapped.valid.push({ index, ...checked })
  })
  return mapped
}
