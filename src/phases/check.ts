import * as core from '@actions/core'
import { parseRepository, parseVersion, type ImageReference } from '../grammar.js'
import { checkDockerfile, type DockerfileReport } from '../dockerfile/check.js'
import { readDockerfile } from '../dockerfile/read-file.js'
import type { Finding } from '../findings.js'
import { workspacePath } from '../workspace.js'
import type { Inputs } from '../inputs.js'
import type { RunRegistries } from '../registry/for-inputs.js'
import { checkLayeredBase, type LayeredBase, type ReadImage } from '../image/layered.js'
import { uncommittedFindings } from './uncommitted.js'

export interface CheckResult {
  dockerfile: DockerfileReport
  findings: Finding[]
  /**
   * Build-args the action adds so that an ARG-held base version follows the release (never one the user set); the
   * checks ran with them, so the build must get them too.
   */
  releaseBuildArgs: Record<string, string>
  /** Set when the final stage is built on another image, checked as a layered image through its labels. */
  layered?: LayeredBase
}

/** The settings the checks read. */
export type CheckSettings = Pick<Inputs, 'context' | 'file' | 'base-image' | 'variant' | 'match' | 'target' | 'build-args'>

/** Reads the Dockerfile as BuildKit does and checks the base tag and runtime contract; adds the uncommitted-files advice. */
export async function runChecks(
  inputs: CheckSettings,
  release: string,
  workspace: string,
  /** Reads a FROM image from its registry: registryImageReader with the run's clients, or a fake in tests. */
  read: ReadImage
): Promise<CheckResult> {
  const baseRepository = parseRepository(inputs['base-image'])
  const version = parseVersion(release)
  // readInputs and resolveRelease have validated both: a failure here is a fault of the caller, not of the user.
  if (!baseRepository || !version) throw new Error(`runChecks was given an unparsed base-image '${inputs['base-image']}' or release '${release}'`)
  const shownAs = workspacePath(inputs.file, workspace)
  const text = await readDockerfile(inputs.file, shownAs)
  const dockerfile = checkDockerfile({
    file: inputs.file,
    shownAs,
    text,
    baseImage: inputs['base-image'],
    baseRepository,
    variant: inputs.variant,
    release: version,
    match: inputs.match,
    target: inputs.target,
    buildArgs: inputs['build-args'],
    releaseArgs: true,
    layered: true
  })
  const releaseBuildArgs = Object.fromEntries(dockerfile.releaseBuildArgs.map(arg => [arg.name, arg.value]))
  for (const arg of dockerfile.releaseBuildArgs) {
    core.info(`ARG ${arg.name} (${shownAs} line ${arg.line}) holds the base version ${arg.replaces}: building with --build-arg ${arg.name}=${arg.value}`)
  }

  const findings: Finding[] = []
  let layered: LayeredBase | undefined
  const other = dockerfile.otherImage
  if (other !== undefined) {
    const checked = await checkLayeredBase(other, { baseRepository, variant: inputs.variant, release: version, match: inputs.match }, read)
    layered = checked.layered
    if (checked.problem !== undefined) findings.push({ check: 'base-image', severity: 'error', file: inputs.file, line: other.line, message: checked.problem })
    if (layered.chain.length > 0) core.info(`Layered image: ${layered.chain.map(link => link.reference).join(' → ')}`)
  }
  findings.push(...dockerfile.findings, ...(await uncommittedFindings(inputs.context, inputs.file, workspace)))
  core.info(`Dockerfile: ${shownAs}, ${dockerfile.chain.length} stage(s) from the root to the final one`)
  if (dockerfile.base) core.info(`Base image: ${dockerfile.base.reference}`)
  const result: CheckResult = { dockerfile, findings, releaseBuildArgs }
  if (layered !== undefined) result.layered = layered
  return result
}

/**
 * Reads a FROM image's linux/amd64 config through the run's client for its registry; a refusal (401/403) already
 * says which credentials were tried and how to give the right ones.
 */
export function registryImageReader(registries: RunRegistries): ReadImage {
  return async (image: ImageReference) => {
    // A tagless FROM pulls :latest; a digest wins over a tag, as in Docker.
    const reference = image.digest ?? image.tag ?? 'latest'
    const { digest, config } = await registries.client(image.registry).getImageConfig(image.repository, reference)
    return { digest, labels: config.Labels ?? {} }
  }
}
