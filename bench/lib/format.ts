/**
 * @module
 * Number formatting for benchmark tables.
 */

/** `1234567` → `1,234,567` (rounded to an integer). */
export const int = (n: number): string =>
  Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a'

/** A number with `digits` decimals. */
export const fixed = (n: number, digits = 1): string =>
  Number.isFinite(n) ? n.toFixed(digits) : 'n/a'

/** A ratio such as `3.2×`. */
export const ratio = (n: number): string =>
  Number.isFinite(n) ? `${n >= 10 ? n.toFixed(0) : n.toFixed(2)}×` : 'n/a'

/** Bytes as MB with one decimal. */
export const mb = (bytes: number): string => `${fixed(bytes / 1024 / 1024, 1)} MB`

/** Bytes as KB with two decimals. */
export const kb = (bytes: number): string => `${fixed(bytes / 1024, 2)} KB`

/** A Markdown table. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n')
}
