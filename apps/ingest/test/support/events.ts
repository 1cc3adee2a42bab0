/**
 * @module
 * The one event builder of the tests: wire events with fresh ids, and batch bodies.
 */

/** A `track` event named `search` of `userId`, with a fresh id; `extra` adds or overrides fields. */
export const trackEvent = (userId: string, extra: Record<string, unknown> = {}) => ({
  id: crypto.randomUUID(),
  type: 'track',
  event: 'search',
  userId,
  ...extra,
})

/** An `identify` event of `userId` with `traits`, with a fresh id; `extra` adds or overrides fields. */
export const identifyEvent = (
  userId: string,
  traits: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) => ({ id: crypto.randomUUID(), type: 'identify', userId, traits, ...extra })

/** A `group` event of `accountId` with `traits`, with a fresh id; `extra` adds or overrides fields. */
export const groupEvent = (
  accountId: string,
  traits: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) => ({ id: crypto.randomUUID(), type: 'group', accountId, traits, ...extra })

/** The body of a `POST /v1/batch`. */
export const batchBody = (batch: unknown[], sentAt = new Date().toISOString()) => ({
  sentAt,
  batch,
})
