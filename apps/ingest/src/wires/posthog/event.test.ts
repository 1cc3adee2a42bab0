import { describe, expect, it } from 'vitest'
import { nameBasedEventId } from '../event-id.js'
import { convertEvent, type EventContext } from './event.js'

const ctx: EventContext = {
  projectId: 'p1',
  accountGroup: 'company',
  sentAt: '2026-11-28T10:00:00.000Z',
}
const UUID = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b'

const eventsOf = (raw: unknown, context = ctx) => {
  const converted = convertEvent(raw, context)
  if (!('events' in converted)) throw new Error(JSON.stringify(converted))
  return converted.events
}

describe('convertEvent', () => {
  it('tracks a named event with distinct_id as the user, the key and $set kept out of properties', () => {
    expect(
      eventsOf({
        event: 'search',
        distinct_id: 42,
        uuid: UUID.toUpperCase(),
        timestamp: '2026-11-28T09:00:00Z',
        properties: { q: 'x', token: 'lsw_secret', $set_once: { a: 1 }, $groups: { company: 7 } },
      }),
    ).toEqual([
      {
        id: UUID,
        timestamp: '2026-11-28T09:00:00Z',
        type: 'track',
        event: 'search',
        userId: '42',
        accountId: '7',
        properties: { q: 'x', $groups: { company: 7 } },
      },
    ])
  })

  it('takes the account from the configured group type only', () => {
    const raw = {
      event: 'x',
      distinct_id: 'u',
      properties: { $groups: { company: 'c', org: 'o' } },
    }
    expect(eventsOf(raw)[0]).toMatchObject({ accountId: 'c' })
    expect(eventsOf(raw, { ...ctx, accountGroup: 'org' })[0]).toMatchObject({ accountId: 'o' })
    expect(eventsOf(raw, { ...ctx, accountGroup: 'team' })[0]).not.toHaveProperty('accountId')
  })

  it('derives a stable id from a uuid that is not a UUID, or from user, name and timestamp', () => {
    const [a] = eventsOf({ event: 'x', distinct_id: 'u', uuid: 'msg-1' })
    expect(a?.id).toBe(nameBasedEventId('posthog', 'p1', 'msg-1'))
    const noUuid = { event: 'x', distinct_id: 'u', timestamp: '2026-11-28T09:00:00Z' }
    expect(eventsOf(noUuid)[0]?.id).toBe(eventsOf(noUuid)[0]?.id)
    expect(eventsOf(noUuid)[0]?.id).not.toBe(eventsOf({ ...noUuid, distinct_id: 'v' })[0]?.id)
    expect(eventsOf(noUuid, { ...ctx, projectId: 'p2' })[0]?.id).not.toBe(eventsOf(noUuid)[0]?.id)
    // Nothing stable to derive from: each sending is another event.
    const bare = { event: 'x', distinct_id: 'u' }
    expect(eventsOf(bare)[0]?.id).not.toBe(eventsOf(bare)[0]?.id)
  })

  it('dates an event without timestamp by offset ms before sent_at', () => {
    expect(eventsOf({ event: 'x', distinct_id: 'u', offset: 60_000 })[0]?.timestamp).toBe(
      '2026-11-28T09:59:00.000Z',
    )
    expect(eventsOf({ event: 'x', distinct_id: 'u' })[0]).not.toHaveProperty('timestamp')
  })

  it('maps $identify and $set to traits from $set (top level over properties), not $set_once', () => {
    const [identify] = eventsOf({
      event: '$identify',
      distinct_id: 'u',
      uuid: UUID,
      $set: { email: 'new@x.io' },
      properties: {
        $set: { email: 'old@x.io', name: 'Ann' },
        $set_once: { first: 1 },
        $is_identified: false,
      },
    })
    expect(identify).toEqual({
      id: UUID,
      type: 'identify',
      userId: 'u',
      traits: { email: 'new@x.io', name: 'Ann' },
    })
    expect(
      convertEvent(
        { event: '$identify', distinct_id: 'u', properties: { $set_once: { a: 1 } } },
        ctx,
      ),
    ).toEqual({
      ignored: '$identify without $set',
    })
    expect(
      eventsOf({ event: '$set', distinct_id: 'u', properties: { $set: { a: 1 } } })[0],
    ).toMatchObject({
      type: 'identify',
      traits: { a: 1 },
    })
  })

  it('adds an identify with an id of its own beside an event that carries $set', () => {
    const events = eventsOf({ event: 'x', distinct_id: 'u', uuid: UUID, $set: { plan: 'pro' } })
    expect(events.map((e) => e.type)).toEqual(['track', 'identify'])
    expect(events[1]?.id).toBe(nameBasedEventId('posthog', 'p1', `${UUID}/$set`))
  })

  it('maps $groupidentify of the account type to account traits, the sender only when a user', () => {
    const group = (distinctId: string, type = 'company') => ({
      event: '$groupidentify',
      distinct_id: distinctId,
      properties: { $group_type: type, $group_key: 5, $group_set: { name: 'Acme' } },
    })
    expect(eventsOf(group('u'))[0]).toMatchObject({
      type: 'group',
      accountId: '5',
      userId: 'u',
      traits: { name: 'Acme' },
    })
    // posthog-node's stand-in distinct id when no user is given.
    expect(eventsOf(group('$company_5'))[0]).not.toHaveProperty('userId')
    expect(convertEvent(group('u', 'project'), ctx)).toHaveProperty('ignored')
  })

  it('maps $pageview to page, $screen to screen, $pageleave to seen; ignores other $ events', () => {
    const name = (event: string) => eventsOf({ event, distinct_id: 'u' })[0]
    expect(name('$pageview')).toMatchObject({ type: 'track', event: 'page' })
    expect(name('$screen')).toMatchObject({ type: 'track', event: 'screen' })
    expect(name('$autocapture')).toMatchObject({ type: 'track', event: '$autocapture' })
    expect(name('$pageleave')).toMatchObject({ type: 'seen' })
    for (const event of ['$feature_flag_called', '$exception', '$web_vitals', '$create_alias']) {
      expect(convertEvent({ event, distinct_id: 'u' }, ctx)).toHaveProperty('ignored')
    }
    // A plain name that is also an Object.prototype key is still a plain event.
    expect(name('constructor')).toMatchObject({ type: 'track', event: 'constructor' })
  })

  it('ignores the activity of anonymous visitors', () => {
    for (const properties of [{ $process_person_profile: false }, { $is_identified: false }]) {
      expect(convertEvent({ event: 'x', distinct_id: 'd', properties }, ctx)).toEqual({
        ignored: 'x of an anonymous visitor',
      })
    }
  })

  it('rejects an event without name or distinct_id, naming the problem', () => {
    expect(convertEvent({ distinct_id: 'u' }, ctx)).toEqual({
      rejected: 'event: event must be a string',
    })
    expect(convertEvent({ event: 'x' }, ctx)).toEqual({ rejected: 'distinct_id is missing' })
    expect(convertEvent('x', ctx)).toEqual({ rejected: 'event must be a JSON object' })
  })
})
