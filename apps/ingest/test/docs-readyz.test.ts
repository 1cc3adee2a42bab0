/**
 * docs/api.md's `/readyz` example is what a live service answers: the schema version there is
 * the one this code migrates to.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunningServer } from '../src/server.js'
import { startTestServer } from './helpers.js'

const api = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8')

describe('docs/api.md, GET /readyz', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(() => server.close())

  it('shows the answer the service gives', async () => {
    const section = api.slice(api.indexOf('## `GET /readyz`'))
    const documented = /`200 (\{.*?\})`/.exec(section)?.[1]
    expect(documented).toBeDefined()
    const answer = await fetch(`${server.url}/readyz`)
    expect(answer.status).toBe(200)
    expect(await answer.json()).toEqual(JSON.parse(documented as string))
  })
})
