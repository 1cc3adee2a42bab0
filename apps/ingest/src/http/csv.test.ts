import { describe, expect, it } from 'vitest'
import { csvCell, toCsv } from './csv.js'

describe('csvCell', () => {
  it('defuses every formula start OWASP lists, and quotes the result', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`)
    expect(csvCell('+1+1')).toBe(`"'+1+1"`)
    expect(csvCell('-2+3')).toBe(`"'-2+3"`)
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`)
    expect(csvCell('\t=1')).toBe(`"'\t=1"`)
    expect(csvCell('\r=1')).toBe(`"'\r=1"`)
  })

  it('leaves numbers and harmless text as they are', () => {
    expect(csvCell(-3)).toBe('-3')
    expect(csvCell(0.5)).toBe('0.5')
    expect(csvCell('ann@acme.io')).toBe('ann@acme.io')
    expect(csvCell('a=b')).toBe('a=b')
    expect(csvCell(null)).toBe('')
    expect(csvCell(undefined)).toBe('')
    expect(csvCell(true)).toBe('true')
  })

  it('quotes commas, quotes and line breaks', () => {
    expect(csvCell('Acme, Inc')).toBe('"Acme, Inc"')
    expect(csvCell('say "hi"')).toBe('"say ""hi"""')
    expect(csvCell('two\nlines')).toBe('"two\nlines"')
  })
})

describe('toCsv', () => {
  it('flattens nested objects into path columns, in order of first appearance', () => {
    const csv = toCsv(
      [
        { userId: 'u_1', priorActivity: { activeDays: 2, events: 4 }, accountId: null },
        { userId: '=cmd', priorActivity: { activeDays: 0, events: 0 }, traits: { plan: 'pro' } },
      ],
      ['userId', 'accountId'],
    )
    expect(csv).toBe(
      [
        'userId,accountId,priorActivity.activeDays,priorActivity.events,traits.plan',
        'u_1,,2,4,',
        `"'=cmd",,0,0,pro`,
        '',
      ].join('\r\n'),
    )
  })

  it('writes the header of an empty list, and arrays as JSON', () => {
    expect(toCsv([], ['userId', 'lastSeen'])).toBe('userId,lastSeen\r\n')
    expect(toCsv([{ tags: ['a', 'b'] }])).toBe('tags\r\n"[""a"",""b""]"\r\n')
  })
})
