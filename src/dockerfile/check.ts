import { parseRepository } from '../docker/reference.js'
import { UserError } from '../errors.js'
import type { Finding } from '../findings.js'
import { checkBaseImage } from './base-image.js'
import { parseRelease } from './base-tag.js'
import { parseDockerfile } from './parse.js'
import { runtimeContractFindings } from './runtime-contract.js'
import { readStages, type StageInfo } from './stages.js'
import { userFindings } from './user.js'

export interface DockerfileCheckOptions {
  /** Path put in findings and errors. */
  file: string
  text: string
  /** e.g. ghcr.io/openhands/agent-server */
  baseImage: string
  /** e.g. python */
  variant: string
  /** X.Y.Z */
  release: string
  match: 'exact' | 'minor'
  /** '' = the last stage */
  target: string
  buildArgs: Record<string, string>
}

export interface Stage {
  index: number
  name?: string
  line: number
  /** The FROM image text after ARG expansion. */
  from: string
}

export interface DockerfileReport {
  /** Every check result, errors and warnings, with file and line. */
  findings: Finding[]
  /** The resolved root FROM of the final stage, e.g. ghcr.io/openhands/agent-server:1.23.0-python. */
  base?: { reference: string; line: number; version?: string; digest?: string }
  /** Global ARG names used in the root FROM's image text. */
  baseTagArgs: string[]
  /** From the final stage back to the root stage, in that order. */
  chain: Stage[]
  finalStage: Stage
}

/** Reads the Dockerfile as BuildKit does and checks its base image, runtime contract and user. Throws UserError for unusable input. */
export function checkDockerfile(options: DockerfileCheckOptions): DockerfileReport {
  const release = parseRelease(options.release)
  if (!release) throw new UserError(`The OHE release '${options.release}' is not a version X.Y.Z, e.g. 1.23.0.`)
  const baseRepository = parseRepository(options.baseImage)
  if (!baseRepository) {
    throw new UserError(`base-image '${options.baseImage}' is not an image repository without tag or digest, e.g. ghcr.io/openhands/agent-server.`)
  }
  if (!/^[a-z0-9]+$/.test(options.variant)) throw new UserError(`variant '${options.variant}' is not a variant name such as python, java or golang.`)

  const parsed = parseDockerfile(options.text, options.file)
  const graph = readStages(parsed, { file: options.file, buildArgs: options.buildArgs, target: options.target })
  const baseCheck = checkBaseImage(graph, {
    baseImage: options.baseImage,
    baseRepository,
    variant: options.variant,
    release,
    match: options.match,
    buildArgs: options.buildArgs,
    escape: parsed.escape
  })

  const findings: Finding[] = []
  if (baseCheck.problem !== undefined) {
    findings.push({ check: 'base-image', severity: 'error', file: options.file, line: baseCheck.base.line, message: baseCheck.problem })
  }
  findings.push(...runtimeContractFindings(graph.chain, options.file), ...userFindings(graph.chain, parsed.escape, options.file))
  return {
    findings,
    base: baseCheck.base,
    baseTagArgs: baseCheck.baseTagArgs,
    chain: graph.chain.map(publicStage),
    finalStage: publicStage(graph.final)
  }
}

function publicStage(stage: StageInfo): Stage {
  const shown: Stage = { index: stage.index, line: stage.line, from: stage.from }
  if (stage.name !== undefined) shown.name = stage.name
  return shown
}
