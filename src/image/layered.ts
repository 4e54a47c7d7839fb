/**
 * Layered images: a hotfix built FROM an already published custom image. Only the image's labels tell what it is
 * built on (`org.opencontainers.image.base.name`, which this action writes on every image it pushes), so the check
 * follows those labels from the FROM image to the agent-server base and judges that base's tag like a direct FROM.
 */

import { formatReference, parseImageReference, repositoryName, isSha256Digest, type ImageReference, type MatchMode, type Version } from '../grammar.js'
import { judgeTag } from '../dockerfile/base-tag.js'
import { clip } from '../dockerfile/text.js'
import { RegistryError } from '../registry/errors.js'

import { BASE_DIGEST_LABEL, BASE_NAME_LABEL } from '../buildx/labels.js'

export { BASE_DIGEST_LABEL, BASE_NAME_LABEL }
/** A hotfix on a hotfix is plausible; a longer chain is a label loop or a mistake, and each step is a registry call. */
export const MAX_LAYERS = 5

export interface LayeredLink {
  /** Normalised reference, e.g. ghcr.io/acme/openhands-sandbox:1.23.0-a1b2c3d. */
  reference: string
  /**
   * The linux/amd64 manifest digest read from the registry; for the agent-server base at the end, the base.digest
   * label of the image above it, when it has one.
   */
  digest?: string
}

/** What the summary shows: FROM image → its base → … → the agent-server base (when the labels reach one). */
export interface LayeredBase {
  /** The FROM line of the final stage's root. */
  line: number
  chain: LayeredLink[]
  /** The agent-server reference at the end of the chain, when a label named one. */
  agentServer?: string
  /** True when the chain ends at an agent-server base that passes the release check. */
  ok: boolean
}

export interface LayeredRules {
  baseRepository: { registry: string; repository: string }
  variant: string
  release: Version
  match: MatchMode
}

/** The FROM image the Dockerfile check left to this one (DockerfileReport.otherImage). */
export interface LayeredRoot {
  image: ImageReference
  line: number
  /** The Dockerfile fix, e.g. "in image/Dockerfile line 1, change FROM x to y". */
  change: string
}

/** The linux/amd64 image's manifest digest and labels; throws RegistryError when the registry cannot tell. */
export type ReadImage = (image: ImageReference) => Promise<{ digest: string; labels: Record<string, string> }>

export interface LayeredCheck {
  layered: LayeredBase
  /** The base-image finding's message, at the FROM line, when the chain does not pass. */
  problem?: string
}

/** Follows the base.name labels from `root.image` to the agent-server base and checks that base against the release. */
export async function checkLayeredBase(root: LayeredRoot, rules: LayeredRules, read: ReadImage): Promise<LayeredCheck> {
  const from = formatReference(root.image)
  const base = repositoryName(rules.baseRepository)
  const layered: LayeredBase = { line: root.line, chain: [], ok: false }
  const result = (problem?: string): LayeredCheck => (problem === undefined ? { layered } : { layered, problem })
  const path = (): string => layered.chain.map(link => link.reference).join(' → ')
  const notBuiltOn = (found: string): LayeredCheck =>
    result(
      `The final stage is built on ${from}, which is not built on the agent-server image ${base}: ${found}. ` +
        `Either ${root.change}, or rebuild ${from} with the label ${BASE_NAME_LABEL} naming its agent-server base (this action sets it on every image it pushes)`
    )

  const seen = new Set<string>()
  let current = root.image
  for (let depth = 0; depth < MAX_LAYERS; depth++) {
    const name = formatReference(current)
    seen.add(name)
    let image: Awaited<ReturnType<ReadImage>>
    try {
      image = await read(current)
    } catch (thrown) {
      if (!(thrown instanceof RegistryError)) throw thrown
      if (depth === 0) return result(`Cannot check FROM ${from} as a layered image (it is not the OHE base image ${base}): ${thrown.message}`)
      return notBuiltOn(`its labels lead ${path()} → ${name}, and the config of ${name} cannot be read (${thrown.message})`)
    }
    layered.chain.push({ reference: name, digest: image.digest })

    const label = image.labels[BASE_NAME_LABEL]?.trim() ?? ''
    if (label === '') {
      return notBuiltOn(
        depth === 0 ? `its linux/amd64 image has no ${BASE_NAME_LABEL} label` : `its labels lead ${path()}, and ${name} has no ${BASE_NAME_LABEL} label`
      )
    }
    const next = parseImageReference(label)
    if (next === undefined) return notBuiltOn(`${name} has the ${BASE_NAME_LABEL} label '${clip(label)}', which is not an image reference`)

    if (repositoryName(next) === base) {
      const reference = formatReference(next)
      const link: LayeredLink = { reference }
      const digest = image.labels[BASE_DIGEST_LABEL]?.trim()
      if (digest !== undefined && isSha256Digest(digest)) link.digest = digest
      layered.chain.push(link)
      layered.agentServer = reference
      const verdict = judgeTag(next.tag, next.digest, reference, rules)
      if (verdict.ok) {
        layered.ok = true
        return result()
      }
      return result(mismatch(from, layered.chain, rules, verdict.version === undefined ? verdict.problem : undefined))
    }
    const nextName = formatReference(next)
    if (seen.has(nextName)) return notBuiltOn(`its labels lead ${path()} → ${nextName} again, a loop`)
    current = next
  }
  return notBuiltOn(`its labels lead through more than ${MAX_LAYERS} images (${path()} → …) without reaching it`)
}

/** The chain reaches the agent-server base, but on a tag the release does not accept. */
function mismatch(from: string, chain: LayeredLink[], rules: LayeredRules, reason: string | undefined): string {
  const { release, variant } = rules
  const wanted = `${release.text}-${variant}`
  const needs = rules.match === 'exact' ? wanted : `${release.major}.${release.minor}.x-${variant} (match: minor)`
  const builtOn = chain
    .slice(1)
    .map(link => link.reference)
    .join(', which is built on ')
  const bases = chain.length > 2 ? 'layered bases' : 'layered base'
  return `FROM ${from} is built on ${builtOn}, but the target agent-server ${release.text} needs ${needs}: rebuild the ${bases} on ${wanted} first${reason === undefined ? '' : ` (${reason})`}`
}
