/**
 * @module
 * The address a request came from, as the authentication throttle counts it: the peer of the
 * TCP connection (a reverse proxy's, when there is one: `X-Forwarded-For` can be sent by anyone,
 * so it is not read). IPv4-mapped IPv6 addresses count as their IPv4 address, and IPv6
 * addresses by their /64 network, since one host commonly holds a whole /64.
 */
import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context } from 'hono'

/** The address of `c`'s client; `unknown` when the request did not come over a socket. */
export function clientAddress(c: Context): string {
  let address: string | undefined
  try {
    address = getConnInfo(c).remote.address
  } catch {
    // app.request() in tests, or another runtime: no socket to ask.
  }
  return address ? addressKey(address) : 'unknown'
}

/** `::ffff:10.0.0.1` → `10.0.0.1`; `2001:db8:1:2:a:b:c:d` → `2001:db8:1:2::/64`. */
export function addressKey(address: string): string {
  const plain = address.split('%')[0]?.toLowerCase() ?? address
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(plain)
  if (mapped?.[1]) return mapped[1]
  if (!plain.includes(':')) return plain
  const [head = '', tail] = plain.split('::')
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
  const network = groups.slice(0, 4).map((g) => Number.parseInt(g || '0', 16).toString(16))
  return `${network.join(':')}::/64`
}
