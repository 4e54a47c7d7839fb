import type { Finding } from '../findings.js'
import { processWord } from './shell.js'
import type { StageInfo } from './stages.js'
import { clip, trimSpace } from './text.js'

/**
 * The image runs as the last USER on its chain. Ending as root (root, 0, root:root, 0:0, …) is a warning:
 * the agent-server base runs as openhands (UID 10001), which OpenHands expects.
 */
export function userFindings(chain: StageInfo[], escape: string, file: string): Finding[] {
  for (const stage of chain) {
    for (let i = stage.instructions.length - 1; i >= 0; i--) {
      const instruction = stage.instructions[i]
      if (instruction?.keyword !== 'USER') continue
      const spec = userSpec(instruction.args, escape)
      const user = spec.split(':')[0] ?? ''
      if (user !== 'root' && !/^0+$/.test(user)) return []
      return [
        {
          check: 'user',
          severity: 'warning',
          file,
          line: instruction.line,
          message: `The image ends as USER ${clip(spec)} (root); the agent-server base runs as openhands (UID 10001) and OpenHands expects that user. End the Dockerfile with USER openhands after the steps that need root.`
        }
      ]
    }
  }
  return []
}

/** Quotes removed as BuildKit's word processing does; variables stay as written (stage ENV/ARG are not evaluated). */
function userSpec(args: string, escape: string): string {
  try {
    return trimSpace(processWord(args, new Map(), { escape, skipUnsetEnv: true }).result)
  } catch {
    return args
  }
}
