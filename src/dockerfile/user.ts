import type { Finding } from '../findings.js'
import { expand, walkChain, type ChainScope } from './chain-walk.js'
import type { StageInfo } from './stages.js'
import { clip, trimSpace } from './text.js'

/**
 * The image runs as the last USER on its chain. Ending as root (root, 0, root:root, 0:0, …) is a warning:
 * the agent-server base runs as openhands (UID 10001), which OpenHands expects. `USER ${NAME}` is evaluated with
 * the stage's ARG and ENV values, so an ARG that defaults to root is caught too.
 */
export function userFindings(chain: StageInfo[], escape: string, file: string, scope: ChainScope): Finding[] {
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

/** The last USER on the chain, expanded with the variables in force there. */
function lastUser(chain: StageInfo[], escape: string, scope: ChainScope): { spec: string; written: string; line: number } | undefined {
  let last: { spec: string; written: string; line: number } | undefined
  walkChain(chain, escape, scope, (instruction, variables) => {
    if (instruction.keyword === 'USER')
      last = { spec: expand(instruction.args, variables(), escape), written: trimSpace(instruction.args), line: instruction.line }
  })
  return last
}
