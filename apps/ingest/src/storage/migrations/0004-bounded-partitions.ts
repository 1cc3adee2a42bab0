/**
 * @module
 * Version 4 of the schema: one group insert writes a bounded number of data parts, however old
 * its events are.
 *
 * Every insert writes one part (a directory of about a dozen files) per partition it touches in
 * each table. `events`, `user_days`, `event_days` and `event_totals` were partitioned by the
 * month of the event, so a backfill spread over ten years wrote 120 parts into each of them
 * per group, and a few dozen such requests exhausted a filesystem's inodes. Now:
 *
 * - `events` is partitioned by the month it was *received*: a group is received within a
 *   second, so it touches one partition (two across a month's end). Live events are received
 *   when they happen, so whole old partitions still expire together under the retention TTL.
 * - the aggregates are not partitioned: every read filters by project and day, which lead
 *   their sort keys, and they are never dropped by age.
 *
 * So a group writes one part per table (and one more into `events` across a month's end). The
 * tables are rebuilt under their own names while the service keeps writing (see
 * `relayout.ts`); their views are unchanged.
 */
import type { Migration } from '../migrations.js'
import type { Relayout } from '../relayout.js'
import { relayout, relayoutStatements } from '../relayout.js'
import {
  eventDaysColumns,
  eventDaysView,
  eventsColumns,
  eventsView,
  userDaysColumns,
  userDaysView,
} from './0001-init.js'
import { eventTotalsColumns, eventTotalsView } from './0003-read-aggregates.js'

const byUser = 'cityHash64(user_id)'

/** The tables rebuilt, in the order they are rebuilt. */
export const rebuilt: readonly Relayout[] = [
  {
    name: 'events',
    spec: {
      columns: eventsColumns,
      engine: 'ReplacingMergeTree',
      layout: `PARTITION BY toYYYYMM(received_at)
    ORDER BY (project_id, user_id, timestamp, id)`,
      shardBy: byUser,
    },
    partitionKey: 'toYYYYMM(received_at)',
    view: eventsView,
  },
  {
    name: 'user_days',
    spec: {
      columns: userDaysColumns,
      engine: 'AggregatingMergeTree',
      layout: 'ORDER BY (project_id, day, user_id)',
      shardBy: byUser,
    },
    partitionKey: '',
    view: userDaysView,
  },
  {
    name: 'event_days',
    spec: {
      columns: eventDaysColumns,
      engine: 'AggregatingMergeTree',
      layout: 'ORDER BY (project_id, day, event, user_id)',
      shardBy: byUser,
    },
    partitionKey: '',
    view: eventDaysView,
  },
  {
    name: 'event_totals',
    spec: {
      columns: eventTotalsColumns,
      engine: 'AggregatingMergeTree',
      layout: 'ORDER BY (project_id, day, event)',
      shardBy: 'cityHash64(day, event)',
    },
    partitionKey: '',
    view: eventTotalsView,
  },
]

/** Names the temporary tables; a later rebuild takes another, as replication paths keep them. */
const SUFFIX = '_v4'

export const boundedPartitions: Migration = {
  version: 4,
  name: 'bounded-partitions',
  statements: () => [],
  review: (ctx) =>
    rebuilt.flatMap((r) => {
      const s = relayoutStatements(ctx, r, SUFFIX)
      return [...s.create, s.copy, ...s.swap, ...s.retire]
    }),
  async run(storage, ctx) {
    for (const r of rebuilt) await relayout(storage, ctx, r, SUFFIX)
  },
}
