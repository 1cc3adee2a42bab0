/**
 * @module
 * Event timestamps as the wire wants them (ISO 8601, UTC, milliseconds). A busy process tracks
 * many events in one millisecond, so the text of the last one is kept and reused.
 */

let lastMs = Number.NaN
let lastText = ''

/** `new Date(ms).toISOString()`, formatted once per distinct millisecond in a row. */
export function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastText = new Date(ms).toISOString()
    lastMs = ms
  }
  return lastText
}
