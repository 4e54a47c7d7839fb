import type { Instruction } from './parse.js'
import { processWord } from './shell.js'
import type { StageInfo } from './stages.js'
import { trimSpace } from './text.js'
import { splitQuotedWords } from './words.js'

/** What stage variables start from: the global ARG values and the user's build-args. */
export interface ChainScope {
  globals: ReadonlyMap<string, string>
  buildArgs: Record<string, string>
}

/**
 * Walks the chain from its root as the image is built, keeping the variables BuildKit expands with: ENV carries into
 * later stages (image config), ARG does not, and ENV wins over an ARG of the same name. `visit` sees every other
 * instruction with the variables in force at its line (made only when asked for).
 */
export function walkChain(
  chain: readonly StageInfo[],
  escape: string,
  scope: ChainScope,
  visit: (instruction: Instruction, variables: () => ReadonlyMap<string, string>) => void
): void {
  const env = new Map<string, string>()
  for (const stage of [...chain].reverse()) {
    const args = new Map<string, string>()
    const variables = (): Map<string, string> => new Map([...args, ...env])
    for (const instruction of stage.instructions) {
      if (instruction.keyword === 'ARG') {
        for (const word of splitQuotedWords(instruction.args, escape)) {
          const equals = word.indexOf('=')
          const name = equals === -1 ? word : word.slice(0, equals)
          const value = Object.hasOwn(scope.buildArgs, name)
            ? scope.buildArgs[name]
            : equals !== -1
              ? expand(word.slice(equals + 1), variables(), escape)
              : scope.globals.get(name)
          if (value !== undefined) args.set(name, value)
        }
      } else if (instruction.keyword === 'ENV') {
        for (const [name, value] of envPairs(instruction.args, escape)) env.set(name, expand(value, variables(), escape))
      } else {
        visit(instruction, variables)
      }
    }
  }
}

/** `ENV A=1 B=2`, or the legacy `ENV NAME value with spaces`. */
export function envPairs(args: string, escape: string): Array<[string, string]> {
  const words = splitQuotedWords(args, escape)
  if (words.length > 0 && !(words[0] ?? '').includes('=')) {
    const name = words[0] ?? ''
    return [[name, trimSpace(args).slice(name.length)]]
  }
  return words.map(word => {
    const equals = word.indexOf('=')
    return [word.slice(0, equals), word.slice(equals + 1)]
  })
}

/** BuildKit's word processing: quotes removed, variables expanded; an unparsable word is kept as written. */
export function expand(text: string, variables: ReadonlyMap<string, string>, escape: string): string {
  try {
    return trimSpace(processWord(text, variables, { escape, skipUnsetEnv: true }).result)
  } catch {
    return trimSpace(text)
  }
}
