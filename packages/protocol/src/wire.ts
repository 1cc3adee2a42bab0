/**
 * @module
 * The lastseen wire protocol, v1: what the SDK sends to `POST /v1/batch` and `POST /v1/track`,
 * and what the ingestion service answers. Plain TypeScript types; the SDK publishes them as
 * `@lastseen/sdk/wire`, and the server's schemas are checked against them so the two cannot
 * drift.
 */
import type { ErrorCode } from './error-codes.js'

/**
 * Kinds of event on the wire: a named usage event, a "user was seen" heartbeat, and the two
 * that say who a user or an account is (their traits). Only `track` and `seen` are activity.
 */
export type WireEventType = 'track' | 'seen' | 'identify' | 'group'

interface WireEventBase {
  /** UUID created once on the client; stable across every retry and resend, so the server can dedupe. */
  id: string
  /** The user the event belongs to. */
  userId: string
  /** The account (team, organisation, tenant) the user belongs to, if any. */
  accountId?: string | undefined
  /** When it happened, ISO 8601 on the client's clock. Defaults to the server's receive time. */
  timestamp?: string | undefined
}

/** A named usage event such as `search`. */
export interface WireTrackEvent extends WireEventBase {
  type: 'track'
  /** Event name, 1–200 characters. */
  event: string
  /** Event properties, a JSON object. */
  properties?: Record<string, unknown> | undefined
  /** How many calls this event stands for when repeated calls were debounced into it (default 1). */
  count?: number | undefined
}

/** A heartbeat: the user was active at `timestamp`. Sent at most once per hour per user. */
export interface WireSeenEvent extends WireEventBase {
  type: 'seen'
}

/**
 * Traits of a user or an account: a JSON object merged per key into what the service already
 * knows (the latest `timestamp` wins per key; `null` removes a trait). Well-known keys: user
 * `email`, `name`; account `name`, `mrr` (a number: what the account pays a month).
 */
export type WireTraits = Record<string, unknown>

/**
 * Who a user is: their traits, and optionally their account. Not activity: it never changes
 * when the user was last seen.
 */
export interface WireIdentifyEvent extends WireEventBase {
  type: 'identify'
  /** The user's traits, a JSON object (size and depth limited like `properties`). */
  traits: WireTraits
}

/** Who an account is: its traits. Not activity. */
export interface WireGroupEvent {
  type: 'group'
  /** UUID created once on the client; stable across every retry and resend. */
  id: string
  /** The account the traits belong to. */
  accountId: string
  /** The user who sent it, if any (browsers send the identified user). */
  userId?: string | undefined
  /** When the traits were set, ISO 8601 on the client's clock. Defaults to the receive time. */
  timestamp?: string | undefined
  /** The account's traits, a JSON object (size and depth limited like `properties`). */
  traits: WireTraits
}

/** One event on the wire. */
export type WireEvent = WireTrackEvent | WireSeenEvent | WireIdentifyEvent | WireGroupEvent

/** Body of `POST /v1/batch`. */
export interface BatchRequest {
  /** When the client sent this request, ISO 8601 on the client's clock; used to correct large clock skew. */
  sentAt: string
  /** 1 to 1,000 events. */
  batch: WireEvent[]
  /** The write key, for clients that cannot set an `Authorization` header (sendBeacon). */
  writeKey?: string | undefined
  /** Events the client dropped locally since its last successful batch (queue overflow), for reporting. */
  dropped?: number | undefined
  /** Which library sent the batch. */
  library?: { name: string; version: string } | undefined
}

/** Body of `POST /v1/track`: one event, optionally with the write key. */
export type TrackRequest = WireEvent & {
  writeKey?: string | undefined
  sentAt?: string | undefined
}

/** Why the server refused one event of a batch. */
export interface RejectedEvent {
  /** Position of the event in `batch`. */
  index: number
  /** What is wrong with it, for a person to read. */
  reason: string
}

/** `200` answer of `POST /v1/batch` and `POST /v1/track`, sent only once the events are stored. */
export interface BatchResponse {
  /** Events stored by this request. */
  accepted: number
  /** Events already stored by an earlier request (same `id`); not counted again. */
  duplicates: number
  /** Events refused individually; they will never be stored, so they must not be retried. */
  rejected: RejectedEvent[]
}

/** The one shape of every error answer. */
export interface ErrorResponse {
  error: { code: ErrorCode; message: string }
}
