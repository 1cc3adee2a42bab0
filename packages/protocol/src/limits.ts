/**
 * @module
 * Every limit of the protocol, in one place: what the service enforces and the SDK checks
 * before sending, plus the one budget only browsers impose (`maxBeaconBytes`). Anything else
 * that needs one of these numbers imports it from here; a test fails on copies elsewhere.
 */

/** Protocol limits the server enforces and the SDK respects. */
export const LIMITS = {
  /**
   * Longest event name, `userId` and `accountId`, in characters (UTF-16 code units, as
   * `String.prototype.length` counts them). The shortest is 1.
   */
  maxNameLength: 200,
  /** Most calls one debounced event may stand for (its `count`, from 1). */
  maxCount: 1_000_000,
  /** Largest event, in bytes as `eventBytes()` counts them (its JSON, UTF-8 encoded). */
  maxEventBytes: 32 * 1024,
  /** Largest request body (after decompression), in bytes. */
  maxRequestBytes: 1024 * 1024,
  /** Most events in one batch. */
  maxBatchEvents: 1000,
  /**
   * Deepest nesting of objects and arrays in an event's `properties` (the properties object
   * itself is level 1). A deeper event is refused on its own, by the SDK and by the server.
   */
  maxPropertiesDepth: 32,
  /**
   * Most keys in one `identify` or `group` event's `traits`. Trait keys are 1–200 characters
   * like names; the event's size and nesting are limited like any event's.
   */
  maxTraitKeys: 100,
  /**
   * Largest request body a browser sends as a beacon (a `keepalive` fetch or the Beacon API),
   * in bytes; also the browsers' default `maxBatchBytes`. Browsers allow 64 KiB (65,536 bytes)
   * of such bodies in flight per page, shared with every other script on it; stopping at 60,000
   * leaves room for those. Not enforced by the service.
   */
  maxBeaconBytes: 60_000,
} as const
