/**
 * The options tables of README.md and docs/sdk.md state the same defaults as the TSDoc
 * `@default` tags in src/options.ts, for every option.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const sdkDir = resolve(import.meta.dirname, '..')
const read = (path: string) => readFileSync(resolve(sdkDir, path), 'utf8')

/** `name → @default` of each option in one interface of options.ts. */
function defaultsOf(source: string, iface: string, prefix: string): Map<string, string> {
  const body = source.slice(source.indexOf(`export interface ${iface} {`))
  const block = body.slice(0, body.indexOf('\n}\n'))
  const out = new Map<string, string>()
  for (const m of block.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*(\w+)\??:/g)) {
    const dflt = /@default (.+)/.exec(m[1]!)?.[1]?.trim()
    if (dflt) out.set(prefix + m[2]!, dflt)
  }
  return out
}

describe('documented options', () => {
  const source = read('src/options.ts')
  const defaults = new Map([
    ...defaultsOf(source, 'TrackerOptions', ''),
    ...defaultsOf(source, 'RetryOptions', 'retry.'),
  ])

  it('every option but endpoint, writeKey and retry has a @default', () => {
    expect([...defaults.keys()].sort()).toEqual(
      [
        'flushAt',
        'debounceMs',
        'maxWaitMs',
        'maxBatchBytes',
        'maxQueueSize',
        'maxQueueBytes',
        'heartbeatIntervalMs',
        'heartbeatCacheSize',
        'timeoutMs',
        'gzip',
        'persist',
        'fetch',
        'beforeSend',
        'onError',
        'disabled',
        'debug',
        'retry.limit',
        'retry.delayMs',
        'retry.backoffLimitMs',
        'retry.maxRetryAfterMs',
      ].sort(),
    )
  })

  for (const doc of ['README.md', '../../docs/sdk.md']) {
    it(`${doc} lists each option with the default from the code`, () => {
      const text = read(doc)
      for (const [name, value] of defaults) {
        expect(text, `${name} in ${doc}`).toContain(`| \`${name}\` | ${value} |`)
      }
    })
  }
})
