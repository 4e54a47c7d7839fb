import type { Finding } from '../findings.js'
import { processWord } from './shell.js'
import type { StageInfo } from './stages.js'
import { clip, trimSpace } from './text.js'
import { splitQuotedWords } from './words.js'

/** What stage variables start from: the global ARG values and the user's build-args. */
export interface UserScope {
  globals: ReadonlyMap<string, string>
  buildArgs: Record<string, string>
}

/**
 * The image runs as the last USER on its chain. Ending as root (root, 0, root:root, 0:0, …) is a warning:
 * the agent-server base runs as openhands (UID 10001), which OpenHands expects. `USER ${NAME}` is evaluated with
 * the stage's ARG and ENV values, so an ARG that defaults to root is caught too.
 */
export function userFindings(chain: StageInfo[], escape: string, file: string, scope: UserScope): Finding[] {
  const last = lastUser(chain, escape, scope)
  if (last === undefined) return []
  const user = last.spec.split(':')[0] ?? ''
  if (user !== 'root' && !/^0+$/.test(user)) return []
  const written = last.written.includes('$') ? `, written USER ${clip(last.written)}` : ''
  return [
    {
      check: 'user',
      severity: 'warning',
      file,
      line: last.line,
      message: `The image ends as root (USER ${clip(last.spec)}${written}); the agent-server base runs as openhands (UID 10001) and OpenHands expects that user. End the Dockerfile with USER openhands after the steps that need root.`
    }
  ]
}

/** Walks the chain from its root as the image is built: ENV carries into later stages (image config), ARG does not. */
function lastUser(chain: StageInfo[], escape: string, scope: UserScope): { spec: string; written: string; line: number } | undefined {
  const env = new Map<string, string>()
  let last: { spec: string; written: string; line: number } | undefined
  for (const stage of [...chain].reverse()) {
    const args = new Map<string, string>()
    // ENV wins over an ARG of the same name, as in BuildKit.
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
      } else if (instruction.keyword === 'USER') {
        last = { spec: expand(instruction.args, variables(), escape), written: trimSpace(instruction.args), line: instruction.line }
      }
    }
  }
  return last
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
