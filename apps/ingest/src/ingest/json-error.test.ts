import { describe, expect, it } from 'vitest'
import { findJsonError } from './json-error.js'

describe('findJsonError', () => {
  it('accepts what JSON.parse accepts', () => {
    for (const text of ['{}', '[]', ' {"a":[1,-2.5e3,true,false,null,"x\\u00e9\\n"]} ', '0']) {
      expect(() => JSON.parse(text)).not.toThrow()
      expect(findJsonError(text)).toBeUndefined()
    }
  })

  // [text, position, line, column, reason]: what a 400 tells the sender.
  const errors: [string, number, number, number, string][] = [
    ['{"a": 1,\n "b": x}', 15, 2, 7, 'unexpected "x"'],
    ['{"a":1,}', 7, 1, 8, 'unexpected "}"'],
    ['[1 2]', 3, 1, 4, 'unexpected "2"'],
    ['[1,\n\n  -]', 7, 3, 3, 'unexpected "-"'],
    ['{"a" 1}', 5, 1, 6, 'unexpected "1"'],
    ['{"a":tru}', 8, 1, 9, 'unexpected "}"'],
    ['{"a":1}x', 7, 1, 8, 'unexpected "x"'],
    ['"\\q"', 2, 1, 3, 'unexpected "q"'],
    ['01', 1, 1, 2, 'unexpected "1"'],
  ]

  it.each(errors)('names the line and column of the first error in %j', (text, ...at) => {
    const [position, line, column, reason] = at
    expect(() => JSON.parse(text)).toThrow()
    expect(findJsonError(text)).toEqual({ position, line, column, reason })
  })

  it('points past the end of a truncated body', () => {
    expect(findJsonError('{"batch": [')).toEqual({
      position: 11,
      line: 1,
      column: 12,
      reason: 'unexpected end of input',
    })
    expect(findJsonError('"abc')).toEqual({
      position: 4,
      line: 1,
      column: 5,
      reason: 'unexpected end of input',
    })
    expect(findJsonError('')).toEqual({
      position: 0,
      line: 1,
      column: 1,
      reason: 'unexpected end of input',
    })
  })
})
