/**
 * @module
 * The first pass over the command line (`node:util` `parseArgs`): the command word, and the
 * options every command shares (`--help`, `--version`, and those that set the configuration:
 * `--port`, `--host`, `--data-dir`). The rest is left, in order, for the command, which parses
 * its own options strictly.
 */
import { parseArgs } from 'node:util'
import type { ConfigFlags } from '../config.js'
import { UsageError } from './usage-error.js'

/** The shared options, by their name in {@link ConfigFlags}. */
const CONFIG_OPTIONS = {
  port: { flag: 'port', type: 'string' },
  host: { flag: 'host', type: 'string' },
  dataDir: { flag: 'data-dir', type: 'string' },
} as const satisfies Record<keyof ConfigFlags, { flag: string; type: 'string' }>

export type ConfigOption = keyof typeof CONFIG_OPTIONS

export interface CommandLine {
  /** The command word; undefined when there is none (`lastseen-ingest --version`). */
  command: string | undefined
  help: boolean
  version: boolean
  /** The configuration flags given. */
  flags: ConfigFlags
  /** Everything else after the command word, in order: the command's own arguments. */
  rest: string[]
}

/** Split `argv` (without `node` and the script) into the command, shared options and the rest. */
export function parseCommandLine(argv: string[]): CommandLine {
  const { tokens } = parseArgs({
    args: argv,
    strict: false,
    allowPositionals: true,
    tokens: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
      ...Object.fromEntries(
        Object.values(CONFIG_OPTIONS).map(({ flag, type }) => [flag, { type }]),
      ),
    },
  })
  const line: CommandLine = { command: undefined, help: false, version: false, flags: {}, rest: [] }
  for (const token of tokens) {
    if (token.kind === 'option-terminator') {
      line.rest.push(...argv.slice(token.index))
      break
    }
    if (token.kind === 'positional' && line.command === undefined) {
      line.command = token.value
      continue
    }
    if (token.kind === 'option' && (token.name === 'help' || token.name === 'version')) {
      line[token.name] = true
      continue
    }
    const config =
      token.kind === 'option'
        ? Object.entries(CONFIG_OPTIONS).find(([, o]) => o.flag === token.name)
        : undefined
    if (token.kind === 'option' && config) {
      if (token.value === undefined || token.value.startsWith('--')) {
        throw new UsageError(`${token.rawName} needs a value`)
      }
      line.flags[config[0] as ConfigOption] = token.value
      continue
    }
    // Another command's option or argument: the raw text, as the command must parse it.
    line.rest.push(argv[token.index] as string)
  }
  return line
}

/** Refuse configuration flags that `command` does not take, naming them. */
export function refuseFlags(line: CommandLine, allowed: readonly ConfigOption[]): void {
  for (const name of Object.keys(line.flags) as ConfigOption[]) {
    if (!allowed.includes(name)) {
      throw new UsageError(`${line.command} does not take --${CONFIG_OPTIONS[name].flag}`)
    }
  }
}

/** Refuse anything left over, for a command without arguments of its own. */
export function refuseRest(line: CommandLine): void {
  const [first] = line.rest
  if (first === undefined) return
  throw new UsageError(
    first.startsWith('-')
      ? `unknown option ${first.split('=')[0]} for ${line.command}`
      : `${line.command} takes no argument (got ${first})`,
  )
}
