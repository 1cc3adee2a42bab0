/**
 * @module
 * A mistake in the command line (an unknown command or option, a missing argument): the CLI
 * prints the message and where to find the command's help, and exits 1.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}
