import { UserError } from '../errors.js'
import type { Instruction } from './parse.js'
import { processWord, ShellSyntaxError, type Expansion } from './shell.js'
import { clip } from './text.js'
import { splitQuotedWords } from './words.js'

/** A global ARG: declared before the first FROM, the only kind FROM can use. */
export interface GlobalArg {
  name: string
  line: number
  /** Where the value came from; `unset` when there is neither a default nor a build-arg. */
  source: 'default' | 'build-arg' | 'unset'
  value?: string
}

export interface GlobalArgs {
  /** The values FROM expands with. */
  env: Map<string, string>
  /** By name; a later declaration of the same name replaces the earlier. */
  declared: Map<string, GlobalArg>
}

/** BuildKit sets these for every build; their values depend on the platform, so this check cannot know them. */
export const PLATFORM_ARGS = new Set(['BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT', 'TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT'])

/**
 * Evaluates the ARGs before the first FROM as BuildKit's buildMetaArgs does: a build-arg replaces the default
 * verbatim; otherwise the default is expanded with the global ARGs declared above it.
 */
export function readGlobalArgs(args: Instruction[], buildArgs: Record<string, string>, escape: string, file: string): GlobalArgs {
  const env = new Map<string, string>()
  const declared = new Map<string, GlobalArg>()
  for (const instruction of args) {
    const words = splitQuotedWords(instruction.args, escape)
    if (words.length === 0) throw new UserError(`ARG at line ${instruction.line} needs a name, e.g. ARG NAME=value.`, file, instruction.line)
    for (const word of words) {
      const equals = word.indexOf('=')
      const name = equals === -1 ? word : word.slice(0, equals)
      const written = equals === -1 ? undefined : word.slice(equals + 1)
      const arg: GlobalArg = { name, line: instruction.line, source: 'unset' }
      if (Object.hasOwn(buildArgs, name)) {
        arg.source = 'build-arg'
        arg.value = buildArgs[name]
      } else if (written !== undefined) {
        arg.source = 'default'
        arg.value = expand(written, env, escape, file, instruction.line).result
      }
      if (arg.value !== undefined) env.set(name, arg.value)
      else if (env.has(name)) {
        // A repeated `ARG NAME` without a value keeps the value NAME already has.
        arg.value = env.get(name)
        arg.source = declared.get(name)?.source ?? 'default'
      }
      declared.set(name, arg)
    }
  }
  return { env, declared }
}

/** Expands a word with the global ARGs; a syntax error BuildKit would refuse becomes a UserError at the line. */
export function expand(word: string, env: ReadonlyMap<string, string>, escape: string, file: string, line: number): Expansion {
  try {
    return processWord(word, env, { escape })
  } catch (thrown) {
    if (thrown instanceof ShellSyntaxError) {
      throw new UserError(`Line ${line}: cannot expand ${clip(word)}: ${clip(thrown.message)}.`, file, line)
    }
    throw thrown
  }
}
