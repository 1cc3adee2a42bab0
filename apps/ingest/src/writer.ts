/**
 * @module
 * Stores events: drops ids already stored (reported as duplicates), then one INSERT into
 * `events_in`, whose materialized views fill the raw table and the aggregates.
 */
import type { WireEvent } from '@lastseen/sdk/wire'
import type { Storage } from './storage/client.js'

/** How many events a write stored, and how many were already there. */
export interface WriteResult {
  accepted: number
  duplicates: number
}

interface Timing {
  sentAt: string
  receivedAt: Date
}

const toClickHouseTime = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '')

export class EventWriter {
  constructor(private readonly storage: Storage) {}

  async write(projectId: string, events: WireEvent[], timing: Timing): Promise<WriteResult> {
    if (events.length === 0) return { accepted: 0, duplicates: 0 }
    const { client, database } = this.storage
    const known = await client.query({
      query: `SELECT DISTINCT toString(id) AS id FROM ${database}.event_ids
              WHERE project_id = {project:String} AND id IN (SELECT arrayJoin({ids:Array(UUID)}))`,
      query_params: { project: projectId, ids: events.map((e) => e.id) },
      format: 'JSONEachRow',
    })
    const seen = new Set((await known.json<{ id: string }>()).map((r) => r.id))
    const fresh: WireEvent[] = []
    for (const event of events) {
      const id = event.id.toLowerCase()
      if (seen.has(id)) continue
      seen.add(id)
      fresh.push(event)
    }
    if (fresh.length > 0) {
      const received = toClickHouseTime(timing.receivedAt)
      await client.insert({
        table: `${database}.events_in`,
        format: 'JSONEachRow',
        values: fresh.map((e) => ({
          project_id: projectId,
          id: e.id,
          type: e.type,
          event: e.type === 'track' ? e.event : '',
          user_id: e.userId,
          account_id: e.accountId ?? '',
          timestamp: e.timestamp ? toClickHouseTime(new Date(e.timestamp)) : received,
          sent_at: toClickHouseTime(new Date(timing.sentAt)),
          received_at: received,
          properties: e.type === 'track' && e.properties ? JSON.stringify(e.properties) : '',
          count: e.type === 'track' ? (e.count ?? 1) : 1,
          flags: 0,
        })),
      })
    }
    return { accepted: fresh.length, duplicates: events.length - fresh.length }
  }
}
