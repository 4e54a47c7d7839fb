import * as core from '@actions/core'
import path from 'node:path'
import { checkDockerfile, type DockerfileReport } from '../dockerfile/check.js'
import { readDockerfile } from '../dockerfile/read-file.js'
import type { Finding } from '../findings.js'
import { uncommittedFiles } from '../git/uncommitted.js'
import { workspacePath } from '../github/annotations.js'
import type { Inputs } from '../inputs.js'

export interface CheckResult {
  dockerfile: DockerfileReport
  findings: Finding[]
}

/** Reads the Dockerfile as BuildKit does and checks the base tag and runtime contract; adds the uncommitted-files advice. */
export async function runChecks(inputs: Inputs, release: string, workspace: string): Promise<CheckResult> {
  const shownAs = workspacePath(inputs.file, workspace)
  const text = await readDockerfile(inputs.file, shownAs)
  const dockerfile = checkDockerfile({
    file: inputs.file,
    text,
    baseImage: inputs['base-image'],
    variant: inputs.variant,
    release,
    match: inputs.match,
    target: inputs.target,
    buildArgs: inputs['build-args']
  })
  const findings = [...dockerfile.findings, ...(await uncommittedFindings(inputs.context, workspace))]
  core.info(`Dockerfile: ${shownAs}, ${dockerfile.chain.length} stage(s) from the root to the final one`)
  if (dockerfile.base) core.info(`Base image: ${dockerfile.base.reference}`)
  return { dockerfile, findings }
}

async function uncommittedFindings(context: string, workspace: string): Promise<Finding[]> {
  const files = await uncommittedFiles(context)
  if (files.length === 0) return []
  const shown = files.slice(0, 10).map(file => workspacePath(file, workspace))
  const more = files.length > shown.length ? ` and ${files.length - shown.length} more` : ''
  return [
    {
      check: 'uncommitted-changes',
      severity: 'warning',
      message: `The build context holds ${files.length} uncommitted file(s): ${shown.join(', ')}${more}. Commit them or add them to .dockerignore, so the image holds only reviewed source.`,
      file: path.join(context, '.dockerignore')
    }
  ]
}
