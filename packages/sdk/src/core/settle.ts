/**
 * @module
 * Wait for a promise, but never longer than a timeout: how `flush()` and `shutdown()` always settle.
 */

/**
 * Resolves `true` when `work` settled in time, `false` when `ms` passed first. Never rejects.
 * The timer is deliberately not `unref()`ed: an awaited `flush()` must settle, and it lasts `ms` at most.
 */
export function settleWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms)
    const done = () => {
      clearTimeout(timer)
      resolve(true)
    }
    work.then(done, done)
  })
}
