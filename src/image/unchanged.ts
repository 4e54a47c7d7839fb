import * as core from '@actions/core'
import { parseRepository } from '../grammar.js'
import { describeError } from '../errors.js'
import type { RunRegistries } from '../registry/for-inputs.js'

import { BASE_DIGEST_LABEL, REVISION_LABEL } from '../buildx/labels.js'

export { BASE_DIGEST_LABEL, REVISION_LABEL }

export interface UnchangedFacts {
  /** The `repository` input, e.g. ghcr.io/acme/openhands-sandbox. */
  repository: string
  /** The primary tag this run would push. */
  tag: string
  /** The full commit sha this run builds. */
  sha?: string
  /** The current base digest (baseDigest()). */
  baseDigest?: string
}

export type SkipDecision = { skip: true } | { skip: false; reason: string }

/**
 * Pure: whether an image with `labels` was built from the same base digest and revision as this run. Without a known
 * base digest or sha nothing proves the image is the same, so it is never skipped.
 */
export function skipDecision(labels: Readonly<Record<string, string>> | null | undefined, facts: Pick<UnchangedFacts, 'sha' | 'baseDigest'>): SkipDecision {
  if (!facts.baseDigest) return { skip: false, reason: 'the base digest is unknown' }
  if (!facts.sha) return { skip: false, reason: 'the commit sha is unknown' }
  const base = labels?.[BASE_DIGEST_LABEL]
  const revision = labels?.[REVISION_LABEL]
  if (!base) return { skip: false, reason: `it has no ${BASE_DIGEST_LABEL} label` }
  if (base !== facts.baseDigest) return { skip: false, reason: `it was built on base ${base}, the base is now ${facts.baseDigest}` }
  if (!revision) return { skip: false, reason: `it has no ${REVISION_LABEL} label` }
  if (revision !== facts.sha) return { skip: false, reason: `it was built from revision ${revision}, this run builds ${facts.sha}` }
  return { skip: true }
}

/**
 * With skip-unchanged: the image at `repository:tag` when it was built from the same base digest and revision, as its
 * labels record; its digest is the one the tag points to (what the `digest` output would have been). Undefined
 * otherwise, with one line that says why; a registry that cannot be read means building, with a warning.
 */
export async function findUnchangedImage(
  inputs: { 'skip-unchanged': boolean },
  registries: RunRegistries,
  facts: UnchangedFacts
): Promise<{ digest: string } | undefined> {
  if (!inputs['skip-unchanged']) return undefined
  const image = `${facts.repository}:${facts.tag}`
  const building = (reason: string): undefined => {
    core.info(`skip-unchanged: building ${image}: ${reason}.`)
    return undefined
  }
  if (!facts.baseDigest) return building('the base digest is unknown, so an existing image cannot be shown to be the same')
  if (!facts.sha) return building('the commit sha is unknown, so an existing image cannot be shown to be the same')
  const name = parseRepository(facts.repository)
  if (name === undefined) return building(`'${facts.repository}' is not an image repository`)

  try {
    const registry = registries.client(name.registry)
    if (!(await registry.tagExists(name.repository, facts.tag))) return building('no image has that tag yet')
    const found = await registry.getImageConfig(name.repository, facts.tag)
    const decision = skipDecision(found.config.Labels, facts)
    if (!decision.skip) return building(`the image there is not the same: ${decision.reason}`)
    const digest = found.indexDigest ?? found.digest
    core.info(`skip-unchanged: ${image} (${digest}) was built from base ${facts.baseDigest} at revision ${facts.sha}; not building it again.`)
    return { digest }
  } catch (thrown) {
    core.warning(`skip-unchanged: could not read ${image} from its registry, so it is built: ${describeError(thrown)}`)
    return undefined
  }
}
