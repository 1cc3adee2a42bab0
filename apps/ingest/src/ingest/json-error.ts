/**
 * @module
 * Where a JSON text stops being JSON. `JSON.parse` does not always say (V8 reports some errors
 * without a position), so a failed body is scanned once more to name the line and column.
 */

/** The first invalid spot of a JSON text. */
export interface JsonErrorPosition {
  /** Offset in characters from the start of the text. */
  position: number
  /** 1-based line. */
  line: number
  /** 1-based column. */
  column: number
  /** What was found there, for a person to read. */
  reason: string
}

class Stop extends Error {
  constructor(
    readonly at: number,
    readonly reason: string,
  ) {
    super(reason)
  }
}

/** The position of the first JSON syntax error in `text`, or undefined when it is valid JSON. */
export function findJsonError(text: string): JsonErrorPosition | undefined {
  let i = 0
  const unexpected = (): never => {
    if (i >= text.length) throw new Stop(i, 'unexpected end of input')
    throw new Stop(i, `unexpected ${JSON.stringify(text[i])}`)
  }
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++
  }
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[i] !== ch) unexpected()
      i++
    }
  }
  const string = () => {
    i++ // opening quote
    for (;;) {
      const ch = text[i]
      if (ch === undefined) unexpected()
      if (ch === '"') {
        i++
        return
      }
      if (ch === '\\') {
        i++
        const esc = text[i]
        if (esc === 'u') {
          for (let k = 1; k <= 4; k++) {
            if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) {
              i += k
              unexpected()
            }
          }
          i += 5
        } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) i++
        else unexpected()
      } else if ((ch as string).charCodeAt(0) < 0x20) unexpected()
      else i++
    }
  }
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400))
    if (!match || match[0] === '-' || match[0] === '') unexpected()
    i += (match as RegExpExecArray)[0].length
  }
  const value = (depth: number): void => {
    if (depth > 1000) throw new Stop(i, 'nesting is too deep')
    space()
    const ch = text[i]
    if (ch === '{') {
      i++
      space()
      if (text[i] === '}') {
        i++
        return
      }
      for (;;) {
        space()
        if (text[i] !== '"') unexpected()
        string()
        space()
        if (text[i] !== ':') unexpected()
        i++
        value(depth + 1)
        space()
        if (text[i] === ',') i++
        else if (text[i] === '}') {
          i++
          return
        } else unexpected()
      }
    }
    if (ch === '[') {
      i++
      space()
      if (text[i] === ']') {
        i++
        return
      }
      for (;;) {
        value(depth + 1)
        space()
        if (text[i] === ',') i++
        else if (text[i] === ']') {
          i++
          return
        } else unexpected()
      }
    }
    if (ch === '"') string()
    else if (ch === 't') literal('true')
    else if (ch === 'f') literal('false')
    else if (ch === 'n') literal('null')
    else number()
  }
  try {
    value(0)
    space()
    if (i < text.length) unexpected()
    return undefined
  } catch (err) {
    if (!(err instanceof Stop)) throw err
    const before = text.slice(0, err.at)
    const line = before.split('\n').length
    const column = err.at - before.lastIndexOf('\n')
    return { position: err.at, line, column, reason: err.reason }
  }
}
