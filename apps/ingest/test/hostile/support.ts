/**
 * @module
 * What every hostile case ends with: the service still answers, quickly.
 */
import { expect } from 'vitest'

/** `/healthz` answers 200 within `timeoutMs`: the hostile request did not take the service down. */
export async function expectAlive(url: string, timeoutMs = 5_000): Promise<void> {
  const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(timeoutMs) })
  expect(res.status).toBe(200)
}
