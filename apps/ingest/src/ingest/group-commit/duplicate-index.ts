/**
 * @module
 * What the group commit knows about stored ids before it asks `event_ids`. Two answers: the
 * ids this process stored lately ({@link RecentIds}), or, when this process is the store's only
 * writer, a filter of every stored id ({@link StoredIdFilter}). Either only saves lookups: an
 * id it cannot vouch for is looked up.
 */
import type { Storage } from '../../storage/client.js'
import { forEachStoredKey } from '../../storage/event-store.js'
import { RecentIds } from './recent-ids.js'
import { StoredIdFilter } from './stored-id-filter.js'

/**
 * For one key (see `eventKey`): `stored` (a duplicate, no lookup needed), `new` (certainly not
 * stored, no lookup needed) or `unsure` (look it up).
 */
export type Verdict = 'stored' | 'new' | 'unsure'

/** The writer's index of stored ids. */
export interface DuplicateIndex {
  verdict(key: string): Verdict
  /** Record keys whose insert succeeded. */
  add(key: string): void
  /** An insert failed and may have stored part of its rows. */
  doubt(): void
  /** Before a group: catch up in the background (lookups answer meanwhile). */
  prepare(): void
  /** Wait for work in the background, before the store is closed. */
  settle(): Promise<void>
}

/**
 * The index for `storage`: a filter of every stored id when this process is its only writer
 * (embedded chDB), else the ids stored lately.
 * @param recentIds ids kept in memory without a filter. @default 200_000
 */
export function duplicateIndex(
  storage: Storage,
  options: { soleWriter?: boolean | undefined; recentIds?: number | undefined },
): DuplicateIndex {
  if (!options.soleWriter) return new RecentIds(options.recentIds)
  const filter = new StoredIdFilter((add) => forEachStoredKey(storage, add))
  filter.prepare()
  return filter
}
