/**
 * The defaults users read are the defaults the code uses: for every option, the TSDoc `@default`
 * in src/options.ts and the options tables of README.md and docs/sdk.md state the value in
 * src/defaults.ts (per runtime where it differs), and the numbers the docs' prose gives for an
 * option are among its defaults too.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BROWSER_DEFAULTS, COMMON_DEFAULTS, SERVER_DEFAULTS } from '../src/defaults.js'

const sdkDir = resolve(import.meta.dirname, '..')
const read = (path: string) => readFileSync(resolve(sdkDir, path), 'utf8')
const DOCS = ['README.md', '../../docs/sdk.md']

/** `name → @default` of each option in one interface of options.ts. */
function tsdocDefaults(source: string, iface: string, prefix: string): Map<string, string> {
  const body = source.slice(source.indexOf(`export interface ${iface} {`))
  const block = body.slice(0, body.indexOf('\n}\n'))
  const out = new Map<string, string>()
  for (const m of block.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*(\w+)\??:/g)) {
    const dflt = /@default (.+)/.exec(m[1]!)?.[1]?.trim()
    if (dflt) out.set(prefix + m[2]!, dflt)
  }
  return out
}

/** Every option's default in the code, as the docs write it. */
function codeDefaults(): Map<string, string> {
  const out = new Map<string, string>()
  for (const name of Object.keys(SERVER_DEFAULTS) as Array<keyof typeof SERVER_DEFAULTS>) {
    const [server, browser] = [SERVER_DEFAULTS[name], BROWSER_DEFAULTS[name]]
    out.set(
      name,
      server === browser
        ? String(server)
        : `${server} in Node and edge runtimes, ${browser} in browsers`,
    )
  }
  const { retry, flushTimeoutMs: _, ...common } = COMMON_DEFAULTS
  for (const [name, value] of Object.entries(common)) out.set(name, String(value))
  for (const [name, value] of Object.entries(retry)) out.set(`retry.${name}`, String(value))
  return out
}

describe('documented defaults', () => {
  const source = read('src/options.ts')
  const tsdoc = new Map([
    ...tsdocDefaults(source, 'TrackerOptions', ''),
    ...tsdocDefaults(source, 'RetryOptions', 'retry.'),
  ])
  const code = codeDefaults()

  it('every option but endpoint, writeKey and retry has a @default', () => {
    expect([...tsdoc.keys()].sort()).toEqual(
      [
        ...code.keys(),
        // Functions, whose defaults are behaviour rather than values in src/defaults.ts.
        'fetch',
        'beforeSend',
        'onError',
      ].sort(),
    )
  })

  it('the TSDoc @default of each option is the value in src/defaults.ts', () => {
    for (const [name, value] of code) expect(tsdoc.get(name), name).toBe(value)
    const flush = tsdocDefaults(source, 'FlushOptions', 'flush.')
    expect(flush.get('flush.timeoutMs')).toBe(String(COMMON_DEFAULTS.flushTimeoutMs))
  })

  for (const doc of DOCS) {
    it(`${doc} lists each option with the default from the code`, () => {
      const text = read(doc)
      for (const [name, value] of [...tsdoc, ...code]) {
        expect(text, `${name} in ${doc}`).toContain(`| \`${name}\` | ${value} |`)
      }
      expect(text).toContain(
        `\`flush()\` and \`shutdown()\` take \`{ timeoutMs }\` (default ${COMMON_DEFAULTS.flushTimeoutMs}).`,
      )
    })

    it(`${doc} gives no other number for an option in its prose`, () => {
      // "`maxQueueSize` (100,000)", "`heartbeatCacheSize`, default 100,000", "(`maxQueueBytes` 64 MB)"
      const mention = /`([\w.]+)`[^`|]{0,12}?\b(\d[\d,]*)( [KM]B)?\b/g
      const checked: string[] = []
      for (const [, name, digits, unit] of read(doc).matchAll(mention)) {
        const option = name === 'timeoutMs' ? ['timeoutMs', 'flushTimeoutMs'] : [name!]
        const values = option.flatMap((n) =>
          [SERVER_DEFAULTS, BROWSER_DEFAULTS, COMMON_DEFAULTS].map(
            (d) => (d as Record<string, unknown>)[n],
          ),
        )
        if (values.every((v) => v === undefined)) continue
        const scale = unit === ' MB' ? 1e6 : unit === ' KB' ? 1e3 : 1
        const stated = Number(digits!.replaceAll(',', '')) * scale
        expect(values, `\`${name}\` … ${digits}${unit ?? ''} in ${doc}`).toContain(stated)
        checked.push(name!)
      }
      // The scan must find the mentions it exists for.
      expect(checked).toEqual(expect.arrayContaining(['maxQueueSize', 'maxQueueBytes']))
    })
  }
})
