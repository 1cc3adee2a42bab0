/**
 * @module
 * Sets of small numbers (day or period indexes) as bit masks in SQL: per group, `groupBitOr` of
 * one bit per row into 256-bit words. OR-ing a bit twice changes nothing, so a row stored twice
 * (several unmerged rows of one user and day) never counts twice, and a mask is far cheaper to
 * aggregate than a set (`uniqExact`, `groupUniqArray`).
 */

/** Bits per word (`UInt256`) when a set takes several. */
const WORD = 256

/** How many words hold indexes `0 … size − 1`. */
export const wordCount = (size: number) => Math.max(1, Math.ceil(size / WORD))

/**
 * The type of the words of a set of `size` indexes: one word as narrow as it fits (a 64-bit OR
 * costs far less than a 256-bit one), or 256-bit words.
 */
export const wordType = (size: number) =>
  size <= 64 ? 'UInt64' : size <= 128 ? 'UInt128' : 'UInt256'

/**
 * SQL: the aggregates `<name>0`, `<name>1`, … of the bits `index` (an SQL expression, from 0 to
 * `size − 1`) of a group's rows, one word each, for a `SELECT` list.
 */
export function bitWords(name: string, index: string, size: number): string {
  const bit = (i: string) => `bitShiftLeft(to${wordType(size)}(1), toUInt8(${i}))`
  if (size <= WORD) return `groupBitOr(${bit(index)}) AS ${name}0`
  return Array.from(
    { length: wordCount(size) },
    (_, k) =>
      `groupBitOrIf(${bit(`(${index}) % ${WORD}`)}, intDiv(${index}, ${WORD}) = ${k}) AS ${name}${k}`,
  ).join(',\n       ')
}

/** The mask of word `k` with the bits `from … to − 1` (global indexes) set, as a bigint. */
function mask(k: number, from: number, to: number): bigint {
  const lo = Math.max(from, k * WORD) - k * WORD
  const hi = Math.min(to, (k + 1) * WORD) - k * WORD
  if (hi <= lo) return 0n
  return ((1n << BigInt(hi)) - 1n) ^ ((1n << BigInt(lo)) - 1n)
}

/**
 * SQL: how many of the indexes `from … to − 1` are in the set held by the words `<name>0`, … of
 * a set of `size` indexes (0 when the range holds none).
 */
export function countIn(name: string, size: number, from: number, to: number): string {
  const terms: string[] = []
  for (let k = 0; k < wordCount(size); k++) {
    const m = mask(k, from, to)
    if (m !== 0n) terms.push(`bitCount(bitAnd(${name}${k}, to${wordType(size)}('${m}')))`)
  }
  return terms.length === 0 ? 'toUInt64(0)' : `toUInt64(${terms.join(' + ')})`
}
