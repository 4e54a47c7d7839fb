import type { Finding } from '../findings.js'
import type { StageInfo } from './stages.js'

const ENTRYPOINT = 'tini -- /usr/local/bin/openhands-agent-server'

/**
 * ENTRYPOINT or CMD anywhere on the chain the image is built from breaks the agent-server contract: OpenHands
 * starts the image with its own arguments after the base entrypoint, and the docs say never to set either.
 * Stages off the chain (a builder used only by COPY --from) do not reach the image and are not checked.
 */
export function runtimeContractFindings(chain: StageInfo[], file: string): Finding[] {
  const final = chain[0]
  const findings: Finding[] = []
  for (const stage of [...chain].reverse()) {
    const where = stage === final ? '' : ` in stage ${stage.name === undefined ? `#${stage.index}` : `'${stage.name}'`} (which the final stage is built on)`
    for (const instruction of stage.instructions) {
      if (instruction.keyword === 'ENTRYPOINT') {
        findings.push({
          check: 'runtime-contract',
          severity: 'error',
          file,
          line: instruction.line,
          message: `ENTRYPOINT${where} replaces the agent-server entrypoint (${ENTRYPOINT}); OpenHands starts the sandbox with its own arguments after that entrypoint, so this image would never become healthy. Remove it: the OpenHands docs say never to set ENTRYPOINT or CMD in a custom sandbox image.`
        })
      } else if (instruction.keyword === 'CMD') {
        findings.push({
          check: 'runtime-contract',
          severity: 'error',
          file,
          line: instruction.line,
          message: `CMD${where} is not allowed in a sandbox image: OpenHands starts the agent-server entrypoint (${ENTRYPOINT}) with its own arguments. Remove it: the OpenHands docs say never to set ENTRYPOINT or CMD in a custom sandbox image.`
        })
      }
    }
  }
  return findings
}
