/**
 * @module
 * Event ids. Ordinary events get a random UUID (v4); a heartbeat gets a UUID (v8, RFC 9562)
 * derived from (user, interval bucket), so heartbeats of one user in one hour sent by several
 * processes or tabs carry the same id and collapse on the server.
 */

/** Two hex digits for each byte value. */
const HEX = Array.from({ length: 256 }, (_, i) => (i + 256).toString(16).slice(1))
/** 16 bits as four hex digits. */
const hex4 = (n: number) => HEX[(n >>> 8) & 255]! + HEX[n & 255]!
/** 32 bits as eight hex digits. */
const hex8 = (n: number) => hex4(n >>> 16) + hex4(n)

/** A random UUID v4; `crypto.randomUUID` where available (it needs a secure context). */
export function randomId(): string {
  const c = globalThis.crypto
  if (typeof c.randomUUID === 'function') return c.randomUUID()
  const w = c.getRandomValues(new Uint32Array(4))
  return format([w[0]!, w[1]!, w[2]!, w[3]!], 4)
}

/** The id of `userId`'s heartbeat in interval `bucket`: the same everywhere, for the same inputs. */
export function heartbeatId(userId: string, bucket: number): string {
  return format(hash128(`lastseen:seen\n${bucket}\n${userId}`), 8)
}

/** Lay 128 bits out as a UUID with the given version and the RFC 9562 variant (10xx). */
function format(w: [number, number, number, number], version: 4 | 8): string {
  const b = (w[1] & 0xffff0fff) | (version << 12)
  const c = (w[2] & 0x3fffffff) | 0x80000000
  return `${hex8(w[0])}-${hex4(b >>> 16)}-${hex4(b)}-${hex4(c >>> 16)}-${hex4(c)}${hex8(w[3])}`
}

/** murmur3's 32-bit finaliser: every input bit affects every output bit. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/**
 * A 128-bit non-cryptographic hash: four multiply-xor lanes fed with every UTF-16 unit, then
 * cross-mixed. Ids only need to differ for different users, not to resist an attacker who
 * already holds the write key.
 */
function hash128(s: string): [number, number, number, number] {
  let a = 0x6a09e667
  let b = 0xbb67ae85
  let c = 0x3c6ef372
  let d = 0xa54ff53a
  for (let i = 0; i < s.length; i++) {
    const k = s.charCodeAt(i)
    a = Math.imul(a ^ k, 0x01000193) ^ (b >>> 7)
    b = Math.imul(b ^ k, 0x5bd1e995) ^ (c >>> 11)
    c = Math.imul(c ^ k, 0x27d4eb2d) ^ (d >>> 13)
    d = Math.imul(d ^ k, 0x165667b1) ^ (a >>> 17)
  }
  a = mix(a ^ s.length)
  b = mix(b ^ a)
  c = mix(c ^ b)
  d = mix(d ^ c)
  return [mix(a ^ d), b, c, d]
}
