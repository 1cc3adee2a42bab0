/**
 * @module
 * How deep an event's properties nest, measured without recursion: a structure thousands of
 * levels deep (by accident or on purpose) must not overflow the stack of the page or process
 * that tracks it, and the walk stops as soon as the limit is passed.
 */
import { LIMITS } from '@lastseen/protocol'

/** Why an event with too deep properties is refused. */
export const TOO_DEEP = `properties nested over ${LIMITS.maxPropertiesDepth} levels deep`

/**
 * Whether objects and arrays in `value` nest more than `max` levels (`value` itself is level 1;
 * by default the protocol's limit for properties). A cycle nests without end: too deep as well.
 */
export function tooDeep(value: unknown, max: number = LIMITS.maxPropertiesDepth): boolean {
  if (max >= 1 && flat(value)) return false
  // Depth-first with an explicit stack of (node, depth) pairs; ends at the first node too deep.
  const stack: unknown[] = [value, 1]
  while (stack.length > 0) {
    const depth = stack.pop() as number
    const node = stack.pop()
    if (typeof node !== 'object' || node === null) continue
    if (depth > max) return true
    for (const child of Object.values(node)) stack.push(child, depth + 1)
  }
  return false
}

/**
 * Whether `value` holds no object or array (so it nests one level at most): the usual
 * properties, told without the walk's allocations. Inherited keys are looked at too, which can
 * only send a flat value down the full walk.
 */
function flat(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true
  for (const key in value) {
    const child = (value as Record<string, unknown>)[key]
    if (typeof child === 'object' && child !== null) return false
  }
  return true
}
