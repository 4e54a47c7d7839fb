import { UserError } from '../errors.js'
import type { Instruction, ParsedDockerfile } from './parse.js'
import { clip, trimSpace } from './text.js'
import { expand, readGlobalArgs, type GlobalArgs } from './variables.js'
import { extractFlags, splitFields } from './words.js'

/** One build stage: a FROM and the instructions after it. */
export interface StageInfo {
  index: number
  /** Lower case, as BuildKit stores it. */
  name?: string
  /** Line of the FROM. */
  line: number
  /** The image text as written after FROM (flags and AS name removed). */
  rawFrom: string
  /** The image text after global ARG expansion. */
  from: string
  /** Variables FROM looked up, and those of them that were unset and became nothing. */
  used: string[]
  unset: string[]
  /** The earlier stage this one is built on, when FROM names one. */
  parent?: number
  instructions: Instruction[]
}

export interface StageGraph {
  stages: StageInfo[]
  globals: GlobalArgs
  /** The stage produced: the target, or the last stage. */
  final: StageInfo
  /** From the final stage back to the root stage (the one built on an image). */
  chain: StageInfo[]
  /** ARG instructions inside stages, which FROM cannot use (for explaining an unset ARG). */
  stageArgs: Instruction[]
}

const INSTRUCTIONS = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR'
])
const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/

/**
 * Splits the instructions into stages and links them as BuildKit does: global ARGs expand in FROM, `FROM <name>`
 * is an earlier stage only when a stage of exactly that (lower-case) name precedes it, else an image name.
 */
export function readStages(
  parsed: ParsedDockerfile,
  options: { file: string; shownAs?: string; buildArgs: Record<string, string>; target: string }
): StageGraph {
  const { file } = options
  const shown = options.shownAs ?? file
  const globalArgInstructions: Instruction[] = []
  const stageArgs: Instruction[] = []
  const stages: StageInfo[] = []
  let fromCount = 0
  for (const instruction of parsed.instructions) {
    if (!INSTRUCTIONS.has(instruction.keyword)) {
      const shown = instruction.keyword === '' ? 'an empty instruction' : `unknown instruction ${clip(instruction.keyword)}`
      throw new UserError(`Line ${instruction.line}: ${shown}. Dockerfile instructions are ${[...INSTRUCTIONS].join(', ')}.`, file, instruction.line)
    }
    if (instruction.keyword === 'FROM') fromCount++
    else if (fromCount === 0) {
      if (instruction.keyword !== 'ARG') {
        throw new UserError(
          `Line ${instruction.line}: ${instruction.keyword} comes before the first FROM; only ARG may (BuildKit: no build stage in current context). Move it below a FROM.`,
          file,
          instruction.line
        )
      }
      globalArgInstructions.push(instruction)
    }
  }
  if (fromCount === 0) {
    throw new UserError(`${shown} has no FROM instruction, so it builds nothing. Start it with FROM ghcr.io/openhands/agent-server:<version>-python.`, file)
  }

  const globals = readGlobalArgs(globalArgInstructions, options.buildArgs, parsed.escape, file)
  const byName = new Map<string, number>()
  let current: StageInfo | undefined
  for (const instruction of parsed.instructions) {
    if (instruction.keyword !== 'FROM') {
      if (!current) continue
      current.instructions.push(instruction)
      if (instruction.keyword === 'ARG') stageArgs.push(instruction)
      continue
    }
    const { image, name } = readFrom(instruction, file)
    const expansion = expand(image, globals.env, parsed.escape, file, instruction.line)
    if (expansion.result === '') {
      const why = expansion.unset.length > 0 ? ` because ${expansion.unset.join(', ')} ${expansion.unset.length > 1 ? 'are' : 'is'} unset` : ''
      throw new UserError(
        `Line ${instruction.line}: FROM ${clip(image)} gives an empty image name${why}. Give the ARG a default before the first FROM or pass it as a build-arg.`,
        file,
        instruction.line
      )
    }
    current = {
      index: stages.length,
      line: instruction.line,
      rawFrom: image,
      from: expansion.result,
      used: expansion.used,
      unset: expansion.unset,
      instructions: []
    }
    if (name !== undefined) current.name = name
    const parent = byName.get(expansion.result)
    if (parent !== undefined) current.parent = parent
    stages.push(current)
    if (name !== undefined) byName.set(name, current.index)
  }

  let final = stages[stages.length - 1] as StageInfo
  if (options.target !== '') {
    const index = byName.get(options.target.toLowerCase())
    if (index === undefined) {
      const names = stages.flatMap(stage => (stage.name === undefined ? [] : [stage.name]))
      const known = names.length > 0 ? `its stages are ${names.join(', ')}` : 'it names no stages (FROM image AS name)'
      throw new UserError(
        `Target stage '${options.target}' is not in ${shown}: ${known}. Set target to one of them, or leave it empty for the last stage.`,
        file
      )
    }
    final = stages[index] as StageInfo
  }
  const chain: StageInfo[] = [final]
  for (let stage = final; stage.parent !== undefined;) {
    stage = stages[stage.parent] as StageInfo
    chain.push(stage)
  }
  return { stages, globals, final, chain, stageArgs }
}

/** `FROM [--platform=…] image [AS name]`, with BuildKit's argument rules. */
function readFrom(instruction: Instruction, file: string): { image: string; name?: string } {
  const { line } = instruction
  const { flags, rest } = extractFlags(instruction.args)
  for (const flag of flags) {
    const equals = flag.indexOf('=')
    const flagName = flag.slice(2, equals === -1 ? undefined : equals)
    if (flagName !== 'platform') {
      throw new UserError(`Line ${line}: FROM has an unknown flag --${clip(flagName)}; only --platform is allowed.`, file, line)
    }
    if (equals === -1) throw new UserError(`Line ${line}: FROM --platform needs its value after '=', e.g. --platform=linux/amd64.`, file, line)
  }
  const fields = splitFields(trimSpace(rest))
  const [image, as, name] = fields
  if (image === undefined) {
    throw new UserError(`Line ${line}: FROM has no image. Write FROM ghcr.io/openhands/agent-server:<version>-python.`, file, line)
  }
  if (fields.length === 1) return { image }
  if (fields.length !== 3 || as?.toLowerCase() !== 'as' || name === undefined) {
    throw new UserError(
      `Line ${line}: FROM ${clip(instruction.args)} is not FROM [--platform=…] image [AS name] (FROM takes one or three arguments).`,
      file,
      line
    )
  }
  const stageName = name.toLowerCase()
  if (!STAGE_NAME.test(stageName)) {
    throw new UserError(
      `Line ${line}: '${clip(name)}' is not a valid stage name: it must start with a letter and hold only letters, digits, '-', '_' and '.'.`,
      file,
      line
    )
  }
  return { image, name: stageName }
}
