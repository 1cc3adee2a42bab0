import { describe, expectTypeOf, it } from 'vitest'
import { createTracker } from './tracker.js'

type Events = {
  search: { query: string }
  'report.export': { format: 'csv' | 'pdf' }
  login: undefined
}
const tracker = createTracker<Events>({ endpoint: 'http://x', writeKey: 'k' })

describe('typed track()', () => {
  it('accepts declared events with their properties', () => {
    tracker.track('search', { query: 'q' }, { userId: 'u' })
    tracker.track('report.export', { format: 'csv' })
    tracker.track('login')
    expectTypeOf(tracker.track<'search'>)
      .parameter(1)
      .toEqualTypeOf<{ query: string }>()
  })

  it('rejects unknown events and wrong properties at compile time', () => {
    // @ts-expect-error unknown event name
    tracker.track('serach', { query: 'q' })
    // @ts-expect-error misspelt property
    tracker.track('search', { qeury: 'q' })
    // @ts-expect-error wrong property type
    tracker.track('search', { query: 1 })
    // @ts-expect-error value outside the union
    tracker.track('report.export', { format: 'xls' })
    // @ts-expect-error properties are required when the event declares them
    tracker.track('search')
  })
})
