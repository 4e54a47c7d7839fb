import { formatReference, parseImageReference, parseRepository, repositoryName, type ImageReference, type MatchMode, type Version } from '../grammar.js'
import { judgeTag } from './base-tag.js'
import { processWord } from './shell.js'
import type { StageGraph, StageInfo } from './stages.js'
import { clip } from './text.js'
import { PLATFORM_ARGS } from './variables.js'
import { splitQuotedWords } from './words.js'

export interface BaseImageRules {
  /** As the user gave it, e.g. ghcr.io/openhands/agent-server; used in suggestions. */
  baseImage: string
  baseRepository: { registry: string; repository: string }
  variant: string
  release: Version
  match: MatchMode
  buildArgs: Record<string, string>
  escape: string
  /** The Dockerfile as messages name it, e.g. image/Dockerfile. */
  shownFile: string
}

export interface BaseImageResult {
  /** What is wrong and what to change, when the root FROM is not an acceptable base. */
  problem?: string
  base: { reference: string; line: number; version?: string; digest?: string }
  baseTagArgs: string[]
  /**
   * Set when the root FROM names a valid image of another repository (not a stage typo, no unset ARG): it may be a
   * layered image built on the base, which only its registry can tell. `problem` is the answer without asking it;
   * `change` is its fix (which file, line and value to change).
   */
  otherImage?: { image: ImageReference; change: string }
}

/** Checks the root stage's FROM: `<baseImage>:<version>-<variant>[@digest]` with the release's version. */
export function checkBaseImage(graph: StageGraph, rules: BaseImageRules): BaseImageResult {
  const root = graph.chain[graph.chain.length - 1] as StageInfo
  const shown = clip(root.from)
  const expected = `${rules.baseImage}:${rules.release.text}-${rules.variant}`
  const reference = root.from === 'scratch' ? undefined : parseImageReference(root.from)

  const base: BaseImageResult['base'] = { reference: root.from, line: root.line }
  if (reference?.digest !== undefined) base.digest = reference.digest
  const result: BaseImageResult = { base, baseTagArgs: root.used.filter(name => graph.globals.declared.has(name)) }

  const verdict = isBaseRepository(reference, rules) ? judgeTag(reference?.tag, reference?.digest, shown, rules) : undefined
  if (verdict?.version !== undefined) base.version = verdict.version
  // An unset ARG explains a broken base reference better than the broken text does, when a value can fix it.
  const values = new Map(root.unset.map(name => [name, workingValue(name, root, graph, rules)]))
  const fixable = [...values.values()].some(value => value !== undefined) || isBaseRepository(repositoryOf(root.from), rules)
  if (root.unset.length > 0 && (verdict !== undefined || (reference === undefined && fixable))) {
    if (!verdict?.ok) result.problem = unresolved(root, graph, rules, expected, values)
    return result
  }
  if (reference === undefined) {
    result.problem =
      root.from === 'scratch'
        ? `The final stage is built on scratch (an empty image), not on the OHE base image ${repositoryName(rules.baseRepository)}: ${changeTo(root, graph, rules, expected)}`
        : `Base image ${shown} is not a valid image reference${stageHint(root, graph)}: ${changeTo(root, graph, rules, expected)}`
    return result
  }
  if (!isBaseRepository(reference, rules)) {
    const hint = stageHint(root, graph)
    const change = changeTo(root, graph, rules, expected)
    result.problem = `The final stage is built on ${formatReference(reference)}, not on the OHE base image ${repositoryName(rules.baseRepository)}${hint}: ${change}`
    if (hint === '' && root.unset.length === 0) result.otherImage = { image: reference, change }
    return result
  }
  if (verdict && !verdict.ok) {
    const keepDigest = reference.tag === undefined && reference.digest !== undefined ? ' (add @<digest of that tag> to keep a digest pin)' : ''
    result.problem = `${verdict.problem}: ${changeTo(root, graph, rules, expected)}${keepDigest}`
  }
  return result
}

/**
 * Which file, line and value to change so that the root FROM gives `expected`: the one ARG or build-arg that decides
 * it when a single value fixes it, else the FROM line itself.
 */
function changeTo(root: StageInfo, graph: StageGraph, rules: BaseImageRules, expected: string): string {
  const atFrom = `in ${rules.shownFile} line ${root.line}, change FROM ${clip(root.from)} to ${expected}`
  if (root.rawFrom === root.from || root.used.length === 0) return atFrom
  // With a digest the tag decides nothing (the digest is pulled), so an ARG in the tag is not the fix.
  if (parseImageReference(root.from)?.digest === undefined) {
    for (const name of new Set(root.used)) {
      const arg = graph.globals.declared.get(name)
      if (arg?.value === undefined) continue
      const value = workingValue(name, root, graph, rules)
      if (value === undefined || value === arg.value) continue
      const gives = `, so that FROM at line ${root.line} gives ${expected}`
      if (arg.source === 'build-arg') return `change the build-arg ${name} from ${clip(arg.value)} to ${value} (build-args input)${gives}`
      return `in ${rules.shownFile} line ${arg.line}, change the default of ARG ${name} from ${clip(arg.value)} to ${value}${gives}`
    }
  }
  return `${atFrom}${argNote(root, graph)}`
}

/** When FROM took its text from ARGs: which ones, with their values. */
function argNote(root: StageInfo, graph: StageGraph): string {
  if (root.rawFrom === root.from || root.used.length === 0) return ''
  const values = root.used.map(name => {
    const value = graph.globals.env.get(name)
    return value === undefined ? `${name} unset` : `${name}=${value}`
  })
  return ` (FROM ${clip(root.rawFrom)} at line ${root.line} uses ${clip(values.join(', '))})`
}

/** Explains a FROM that names no earlier stage although it looks like it meant one. */
function stageHint(root: StageInfo, graph: StageGraph): string {
  const text = root.from
  const later = graph.stages.find(stage => stage.index > root.index && stage.name === text)
  if (later) return ` (stage '${text}' is defined later, at line ${later.line}; FROM can only use earlier stages)`
  const earlier = graph.stages.slice(0, root.index)
  const lower = text.toLowerCase()
  const sameButCase = lower !== text ? earlier.find(stage => stage.name === lower) : undefined
  if (sameButCase) {
    return ` (FROM ${text} is read as an image name: BuildKit matches stage names in FROM only in lower case; write FROM ${lower} to use stage '${lower}' at line ${sameButCase.line})`
  }
  if (!/^[a-z][a-z0-9-_.]*$/i.test(text)) return ''
  const near = closestStage(lower, graph.stages, root.index)
  return near ? ` (${text} is not a stage name; did you mean stage '${near.name}' at line ${near.line}?)` : ''
}

/** The stage whose name is within a small edit distance of `text` (typos such as buidler for builder). */
function closestStage(text: string, stages: StageInfo[], rootIndex: number): StageInfo | undefined {
  let best: StageInfo | undefined
  let bestDistance = Math.min(2, Math.floor(text.length / 3))
  for (const stage of stages) {
    if (stage.index === rootIndex || stage.name === undefined || stage.name === text) continue
    const distance = editDistance(text, stage.name, bestDistance)
    if (distance <= bestDistance && (best === undefined || distance < bestDistance)) {
      best = stage
      bestDistance = distance
    }
  }
  return best
}

/** Levenshtein distance (adjacent swaps count 1), giving up once it exceeds `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1
  let before = new Array<number>(b.length + 1).fill(0)
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = new Array<number>(b.length + 1).fill(0)
    current[0] = i
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let value = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, (before[j - 2] as number) + 1)
      current[j] = value
      rowMin = Math.min(rowMin, value)
    }
    if (rowMin > limit) return limit + 1
    before = previous
    previous = current
  }
  return previous[b.length] as number
}

/** The root FROM used ARGs that have no value: name each and say how to give it one. */
function unresolved(root: StageInfo, graph: StageGraph, rules: BaseImageRules, expected: string, values: Map<string, string | undefined>): string {
  const reasons: string[] = []
  const fixes: string[] = []
  for (const name of root.unset) {
    const value = values.get(name)
    const declared = graph.globals.declared.get(name)
    if (PLATFORM_ARGS.has(name)) {
      reasons.push(`${name} is set by BuildKit per target platform, so the base tag cannot be checked`)
      fixes.push(`do not build the base tag from ${name}`)
    } else if (declared) {
      reasons.push(`ARG ${name} (line ${declared.line}) has no default and no build-arg was given`)
      fixes.push(
        value === undefined
          ? `give ARG ${name} a default or pass it as a build-arg`
          : `give ARG ${name} a default (ARG ${name}=${value}) or pass the build-arg ${name}=${value}`
      )
    } else {
      const inStage = graph.stageArgs.find(arg => splitQuotedWords(arg.args, rules.escape).some(word => word.split('=')[0] === name))
      const where = inStage ? `; ARG ${name} at line ${inStage.line} is inside a stage` : ''
      const ignored = Object.hasOwn(rules.buildArgs, name) ? `; the build-arg ${name} has no effect until it is declared there` : ''
      reasons.push(`${name} is not declared as an ARG before the first FROM, the only ARGs FROM can use${where}${ignored}`)
      fixes.push(value === undefined ? `declare ARG ${name} with a default before the first FROM` : `add ARG ${name}=${value} before the first FROM`)
    }
  }
  const outcome = [...values.values()].every(value => value !== undefined) ? `, so that FROM gives ${expected}` : ` (FROM must give ${expected})`
  return `Base image tag is unresolved: FROM ${clip(root.rawFrom)} gives ${clip(root.from)} because ${reasons.join(', and ')}: ${fixes.join('; ')}${outcome}`
}

/** The repository part of a reference whose tag or digest is broken (ghcr.io/x/y:..0-python gives ghcr.io/x/y). */
function repositoryOf(text: string): ImageReference | undefined {
  const at = text.indexOf('@')
  const name = at === -1 ? text : text.slice(0, at)
  const colon = name.lastIndexOf(':')
  const repository = parseRepository(colon > name.lastIndexOf('/') ? name.slice(0, colon) : name)
  return repository
}

export function isBaseRepository(ref: ImageReference | undefined, rules: Pick<BaseImageRules, 'baseRepository'>): boolean {
  return ref !== undefined && repositoryName(ref) === repositoryName(rules.baseRepository)
}

/** A value for `name` that makes the root FROM give the expected base reference, if a simple one does. */
function workingValue(name: string, root: StageInfo, graph: StageGraph, rules: BaseImageRules): string | undefined {
  if (PLATFORM_ARGS.has(name)) return undefined
  const wanted = `${rules.release.text}-${rules.variant}`
  for (const candidate of [rules.release.text, wanted, `${rules.baseImage}:${wanted}`, rules.variant]) {
    const env = new Map(graph.globals.env)
    env.set(name, candidate)
    try {
      const ref = parseImageReference(processWord(root.rawFrom, env, { escape: rules.escape }).result)
      if (isBaseRepository(ref, rules) && ref?.tag === wanted) return candidate
    } catch {
      // A value that breaks the expansion is simply not the answer.
    }
  }
  return undefined
}
