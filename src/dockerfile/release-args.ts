import { parseImageReference, RELEASE_VERSION } from '../grammar.js'
import { isBaseRepository, type BaseImageRules } from './base-image.js'
import { judgeTag } from './base-tag.js'
import { processWord } from './shell.js'
import type { StageGraph, StageInfo } from './stages.js'

/** A build-arg the action passes so that an ARG-based base tag follows the release with no Dockerfile edit. */
export interface ReleaseBuildArg {
  name: string
  /** The release, or `<release>-<variant>` when the ARG's default held the variant too. */
  value: string
  /** The ARG's default it replaces, and the line of that ARG. */
  replaces: string
  line: number
}

/** The base-image rules without the display name, which the planner does not need. */
export type ReleaseArgRules = Omit<BaseImageRules, 'baseImage' | 'shownFile'>

/**
 * The build-args that make the root FROM of the final stage give the release's base, for global ARGs that hold only
 * the version: a default `X.Y.Z` gets `<release>`, `X.Y.Z-<variant>` gets `<release>-<variant>`. Nothing when the
 * base already passes (e.g. 1.23.4 under match: minor for 1.23.0), for an ARG the user set as a build-arg, for an
 * ARG holding the whole image or the variant, and for a reference with a digest (the digest would still pick the old
 * image, so the tag must not be made to look right).
 */
export function releaseBuildArgs(graph: StageGraph, rules: ReleaseArgRules): ReleaseBuildArg[] {
  const root = graph.chain[graph.chain.length - 1] as StageInfo
  if (root.rawFrom === root.from || root.unset.length > 0) return []
  const current = parseImageReference(root.from)
  if (current === undefined || !isBaseRepository(current, rules) || current.digest !== undefined) return []
  if (judgeTag(current.tag, current.digest, root.from, rules).ok) return []

  const wanted = `${rules.release.text}-${rules.variant}`
  const added: ReleaseBuildArg[] = []
  for (const name of new Set(root.used)) {
    const arg = graph.globals.declared.get(name)
    if (arg?.source !== 'default' || arg.value === undefined || Object.hasOwn(rules.buildArgs, name)) continue
    const value = RELEASE_VERSION.test(arg.value) ? rules.release.text : isVersionOfVariant(arg.value, rules.variant) ? wanted : undefined
    if (value === undefined || !givesRelease(root, graph, rules, name, value, wanted)) continue
    added.push({ name, value, replaces: arg.value, line: arg.line })
  }
  return added
}

function isVersionOfVariant(value: string, variant: string): boolean {
  const suffix = `-${variant}`
  return value.endsWith(suffix) && RELEASE_VERSION.test(value.slice(0, -suffix.length))
}

/** Whether FROM, with only `name` changed to `value`, gives `<base>:<wanted>`: the ARG is in the tag, not elsewhere. */
function givesRelease(root: StageInfo, graph: StageGraph, rules: ReleaseArgRules, name: string, value: string, wanted: string): boolean {
  const env = new Map(graph.globals.env)
  env.set(name, value)
  try {
    const reference = parseImageReference(processWord(root.rawFrom, env, { escape: rules.escape }).result)
    return reference !== undefined && isBaseRepository(reference, rules) && reference.tag === wanted && reference.digest === undefined
  } catch {
    // The same text expanded once already; a failure now just means this ARG is not the one.
    return false
  }
}
