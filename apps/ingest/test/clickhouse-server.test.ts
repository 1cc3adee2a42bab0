/**
 * The chDB-backed ClickHouse HTTP test server speaks enough of ClickHouse's HTTP interface for
 * @clickhouse/client: commands, parameterised queries, inserts, gzip, auth, errors, restart.
 */
import { createClient } from '@clickhouse/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDataDir } from './helpers.js'
import { type ClickHouseTestServer, startClickHouseServer } from './support/clickhouse-server.js'

describe('ClickHouse HTTP test server', () => {
  let server: ClickHouseTestServer
  beforeAll(async () => {
    server = await startClickHouseServer({ dataDir: tempDataDir(), user: 'ls', password: 'secret' })
  })
  afterAll(async () => {
    await server.stop()
  })

  const connect = (password = 'secret') =>
    createClient({
      url: server.url,
      username: 'ls',
      password,
      compression: { request: true, response: true },
    })

  it('runs commands, inserts and parameterised queries through @clickhouse/client', async () => {
    const client = connect()
    await client.command({ query: 'CREATE DATABASE IF NOT EXISTS t' })
    await client.command({
      query: 'CREATE TABLE IF NOT EXISTS t.kv (k String, v UInt32) ENGINE = MergeTree ORDER BY k',
    })
    await client.insert({
      table: 't.kv',
      values: [
        { k: 'a', v: 1 },
        { k: "it's", v: 2 },
      ],
      format: 'JSONEachRow',
    })
    const result = await client.query({
      query: 'SELECT k, v FROM t.kv WHERE k IN (SELECT arrayJoin({keys:Array(String)})) ORDER BY k',
      query_params: { keys: ["it's", 'zzz'] },
      format: 'JSONEachRow',
    })
    expect(await result.json()).toEqual([{ k: "it's", v: 2 }])
    const scalar = await client.query({
      query: 'SELECT {s:String} AS s, {n:UInt32} + 1 AS n',
      query_params: { s: "a'b\\c\td", n: 41 },
      format: 'JSONEachRow',
    })
    expect(await scalar.json()).toEqual([{ s: "a'b\\c\td", n: '42' }])
    await client.close()
  })

  it('answers errors the way ClickHouse does', async () => {
    const client = connect()
    await expect(client.query({ query: 'SELECT * FROM t.missing' })).rejects.toMatchObject({
      code: '60',
      type: 'UNKNOWN_TABLE',
    })
    await client.close()
    const intruder = connect('wrong')
    await expect(intruder.query({ query: 'SELECT 1' })).rejects.toThrow(/Authentication failed/)
    await intruder.close()
  })

  it('keeps its data across a crash and a restart on the same port', async () => {
    await server.stop('SIGKILL')
    const client = connect()
    expect((await client.ping()).success).toBe(false)
    await server.restart()
    const result = await client.query({
      query: 'SELECT count() AS n FROM t.kv',
      format: 'JSONEachRow',
    })
    expect(await result.json()).toEqual([{ n: '2' }])
    await client.close()
  })
})
