import { describe, expect, it } from 'vitest'
import { findJsonError } from './json-error.js'

describe('findJsonError', () => {
  it('accepts what JSON.parse accepts', () => {
    for (const text of ['{}', '[]', ' {"a":[1,-2.5e3,true,false,null,"x\\u00e9\\n"]} ', '0']) {
      expect(JSON.parse(text)).toBeDefined()
      expect(findJsonError(text)).toBeUndefined()
    }
  })

  it('names the line and column of the first error', () => {
    expect(findJsonError('{"a": 1,\n "b": x}')).toEqual({
      position: 15,
      line: 2,
      column: 7,
      reason: 'unexpected "x"',
    })
    expect(findJsonError('{"a":1,}')).toMatchObject({ position: 7, reason: 'unexpected "}"' })
    expect(findJsonError('[1 2]')).toMatchObject({ position: 3, column: 4 })
  })

  it('points past the end of a truncated body', () => {
    expect(findJsonError('{"batch": [')).toMatchObject({
      position: 11,
      reason: 'unexpected end of input',
    })
    expect(findJsonError('')).toMatchObject({ position: 0, reason: 'unexpected end of input' })
  })
})
