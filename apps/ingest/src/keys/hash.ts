/**
 * @module
 * What a key looks like and how it is stored: `lsw_…` (write, public), `lsr_…` (read, secret) or
 * `lsa_…` (admin, secret: deletes and exports a user's data), kept only as its SHA-256 next to a
 * short prefix for people to tell keys apart.
 */
import { createHash, randomBytes } from 'node:crypto'

/**
 * What a key may do. Each kind does only its own: an admin key does not read or write, so the
 * read key a dashboard or a script holds can never delete, and the rarely used admin key can be
 * kept apart (and revoked) on its own.
 */
export type KeyKind = 'write' | 'read' | 'admin'

/** Every kind, in the order `keys create` makes them. */
export const KEY_KINDS: readonly KeyKind[] = ['write', 'read', 'admin']

const PREFIX: Record<KeyKind, string> = { write: 'lsw_', read: 'lsr_', admin: 'lsa_' }

/**
 * Least key material after `lsw_` / `lsr_` in a key set by environment variable: 32 of
 * `A–Z a–z 0–9 _ -` carry at least 128 bits when random. Generated keys have 32 (24 bytes).
 */
export const MIN_KEY_MATERIAL = 32

/** A new random key of `kind`. */
export function generateKey(kind: KeyKind): string {
  return PREFIX[kind] + randomBytes(24).toString('base64url')
}

/** Length of the part of a key stored in clear: `lsw_` + 4 characters. */
export const PREFIX_LENGTH = 8

/**
 * The part of a key shown by `keys list` and accepted by `keys revoke`: `lsw_` + 4 characters.
 * Enough to tell a project's keys apart, too little to help guess one. (`lsw_` + 8 is what
 * older versions wrote; migration 5 shortens those.)
 */
export const keyPrefix = (key: string): string => key.slice(0, PREFIX_LENGTH)

/** The stored form of a key. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}
