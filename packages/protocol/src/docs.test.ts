/**
 * The API reference (docs/api.md) states the same error statuses and limits as the code.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ERROR_STATUS, type ErrorCode } from './error-codes.js'
import { LIMITS } from './limits.js'

const api = readFileSync(resolve(import.meta.dirname, '../../../docs/api.md'), 'utf8')
const grouped = (n: number) => n.toLocaleString('en-US')

describe('docs/api.md', () => {
  it('answers each error code with the status of ERROR_STATUS', () => {
    const documented = Object.fromEntries(
      [...api.matchAll(/^\| (\d{3}) \| `(\w+)` \|/gm)].map((m) => [m[2], Number(m[1])]),
    ) as Record<ErrorCode, number>
    expect(documented).toEqual(ERROR_STATUS)
  })

  it('states the limits of LIMITS', () => {
    const limits = api.slice(api.indexOf('## Limits'), api.indexOf('## `POST /v1/batch`'))
    expect(limits).toContain(`| request body | 1 MB (${grouped(LIMITS.maxRequestBytes)} bytes)`)
    expect(limits).toContain(`| events per request | ${grouped(LIMITS.maxBatchEvents)} |`)
    expect(limits).toContain(`| 32 KB (${grouped(LIMITS.maxEventBytes)} bytes) |`)
    expect(limits).toContain(`| 1–${LIMITS.maxNameLength} characters`)
    expect(limits).toContain(`| ${LIMITS.maxPropertiesDepth} levels of objects`)
    expect(limits).toContain(`| \`count\` | 1 – ${grouped(LIMITS.maxCount)} |`)
    expect(limits).toContain(
      `at most ${LIMITS.maxTraitKeys} keys, each 1–${LIMITS.maxNameLength} characters`,
    )
  })
})
