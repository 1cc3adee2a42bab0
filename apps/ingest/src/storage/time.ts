/**
 * @module
 * Times as ClickHouse reads and prints them (`DateTime64(3, 'UTC')` text, `YYYY-MM-DD
 * hh:mm:ss.sss`), to and from JavaScript.
 */

// The last time formatted: the events of a batch usually share their times.
let lastMs = Number.NaN
let lastText = ''

/** `Date` milliseconds as ClickHouse `DateTime64(3, 'UTC')` text. */
export function clickHouseTime(ms: number): string {
  if (ms !== lastMs) {
    lastText = new Date(ms).toISOString().replace('T', ' ').replace('Z', '')
    lastMs = ms
  }
  return lastText
}

/** A ClickHouse `DateTime64(3, 'UTC')` as ISO 8601, or null for the epoch (meaning "never"). */
export function isoTime(value: string | null | undefined): string | null {
  if (!value) return null
  const iso = `${value.replace(' ', 'T')}Z`
  return Date.parse(iso) <= 0 ? null : new Date(iso).toISOString()
}
