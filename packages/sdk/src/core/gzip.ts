/**
 * @module
 * gzip with the standard `CompressionStream` (browsers, Node ≥ 18, Deno, Bun, Workers).
 */

/** Whether this runtime can gzip. */
export const canGzip = (): boolean => typeof globalThis.CompressionStream === 'function'

/** gzip `text` into bytes (not a stream: `keepalive` requests cannot carry streams). */
export async function gzip(text: string): Promise<ArrayBuffer> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'))
  return new Response(stream).arrayBuffer()
}
