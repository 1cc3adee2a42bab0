/**
 * @module
 * Shutting down without keeping clients waiting: once draining, every answer closes its
 * connection (`Connection: close`), so keep-alive clients let go as soon as their request is
 * answered, and a request that still arrives on an open connection gets `503` with
 * `Retry-After`, to be retried against another node or after the restart.
 */
import type { MiddlewareHandler } from 'hono'
import { Unavailable } from '../errors.js'

export class Drain {
  private draining = false

  /** Whether the service is shutting down. */
  get active(): boolean {
    return this.draining
  }

  /** Stop taking requests: from now on answers close their connections. */
  start(): void {
    this.draining = true
  }

  /** The middleware that answers for the drain; first in the chain. */
  middleware(): MiddlewareHandler {
    return async (c, next) => {
      if (this.draining) {
        c.header('Connection', 'close')
        throw new Unavailable('the service is shutting down; retry', 1000)
      }
      await next()
      if (this.draining) c.header('Connection', 'close')
    }
  }
}
