import type { MatchMode, Version } from '../grammar.js'
import type { Finding } from '../findings.js'
import { checkBaseImage, type BaseImageResult } from './base-image.js'
import { parseDockerfile } from './parse.js'
import { releaseBuildArgs, type ReleaseBuildArg } from './release-args.js'
import { runtimeContractFindings } from './runtime-contract.js'
import { readStages, type StageInfo } from './stages.js'
import { userFindings } from './user.js'
import { workspaceFindings } from './workspace.js'

export interface DockerfileCheckOptions {
  /** Path put in findings and errors. */
  file: string
  /** How messages name the file when they say what to change where, e.g. image/Dockerfile; default `file`. */
  shownAs?: string
  text: string
  /** e.g. ghcr.io/openhands/agent-server, as the user wrote it (messages quote it) */
  baseImage: string
  /** The same repository, parsed (parseRepository) */
  baseRepository: { registry: string; repository: string }
  /** e.g. python */
  variant: string
  release: Version
  match: MatchMode
  /** '' = the last stage */
  target: string
  buildArgs: Record<string, string>
  /**
   * Give global ARGs that hold the base's version the release as build-args (see releaseBuildArgs) and check with
   * them, so that a scheduled run on a new release needs no Dockerfile edit. The report lists them for the build.
   */
  releaseArgs?: boolean
  /**
   * Leave a root FROM on another repository to the caller instead of failing it: it may be a layered image, which
   * only its registry can tell (see `otherImage` in the report).
   */
  layered?: boolean
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
  /** The build-args the checks applied (empty unless `releaseArgs`); the build must get them too. */
  releaseBuildArgs: ReleaseBuildArg[]
  /**
   * The root FROM names a valid image of another repository. Without `layered` there is also a base-image error;
   * with it there is none and the caller must check the image's own base.
   */
  otherImage?: NonNullable<BaseImageResult['otherImage']> & { line: number; problem: string }
}

/**
 * Reads the Dockerfile as BuildKit does and checks its base image, runtime contract and user. The options are already
 * validated (readInputs); a Dockerfile that cannot be read throws UserError with file and line.
 */
export function checkDockerfile(options: DockerfileCheckOptions): DockerfileReport {
  const { release, baseRepository } = options
  const parsed = parseDockerfile(options.text, options.file, options.shownAs)
  const stagesWith = (buildArgs: Record<string, string>) =>
    readStages(parsed, { file: options.file, shownAs: options.shownAs, buildArgs, target: options.target })
  let graph = stagesWith(options.buildArgs)
  const rules = { baseRepository, variant: options.variant, release, match: options.match, buildArgs: options.buildArgs, escape: parsed.escape }
  const added = options.releaseArgs ? releaseBuildArgs(graph, rules) : []
  const buildArgs = { ...options.buildArgs, ...Object.fromEntries(added.map(arg => [arg.name, arg.value])) }
  if (added.length > 0) graph = stagesWith(buildArgs)
  const baseCheck = checkBaseImage(graph, { ...rules, baseImage: options.baseImage, buildArgs, shownFile: options.shownAs ?? options.file })

  const findings: Finding[] = []
  const deferred = options.layered && baseCheck.otherImage !== undefined
  if (baseCheck.problem !== undefined && !deferred) {
    findings.push({ check: 'base-image', severity: 'error', file: options.file, line: baseCheck.base.line, message: baseCheck.problem })
  }
  findings.push(
    ...runtimeContractFindings(graph.chain, options.file),
    ...userFindings(graph.chain, parsed.escape, options.file, { globals: graph.globals.env, buildArgs }),
    ...workspaceFindings(graph.chain, parsed.escape, options.file, { globals: graph.globals.env, buildArgs })
  )
  const report: DockerfileReport = {
    findings,
    base: baseCheck.base,
    baseTagArgs: baseCheck.baseTagArgs,
    chain: graph.chain.map(publicStage),
    finalStage: publicStage(graph.final),
    releaseBuildArgs: added
  }
  if (baseCheck.otherImage !== undefined && baseCheck.problem !== undefined) {
    report.otherImage = { ...baseCheck.otherImage, line: baseCheck.base.line, problem: baseCheck.problem }
  }
  return report
}

function publicStage(stage: StageInfo): Stage {
  const shown: Stage = { index: stage.index, line: stage.line, from: stage.from }
  if (stage.name !== undefined) shown.name = stage.name
  return shown
}
