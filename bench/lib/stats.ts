/**
 * @module
 * Small statistics for benchmark rounds: median and percentiles of samples.
 */

/** The `p`-th percentile (0–100) of `values`, by linear interpolation between closest ranks. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = (p / 100) * (sorted.length - 1)
  const low = Math.floor(rank)
  const high = Math.ceil(rank)
  const a = sorted[low] as number
  const b = sorted[high] as number
  return a + (b - a) * (rank - low)
}

/** The median of `values`. */
export const median = (values: readonly number[]): number => percentile(values, 50)
