import * as core from '@actions/core'
import { parseRepository, repositoryName } from '../grammar.js'
import { UserError } from '../errors.js'
import type { Inputs } from '../inputs.js'
import { registryClientFor, type RegistryInputs } from '../registry/for-inputs.js'
import { highestRelease } from '../registry/releases.js'

export interface ResolvedRelease {
  /** X.Y.Z, the agent-server version the checks and the build use. */
  version: string
  /** True when it was read from the registry (`ohe-release: latest`). */
  latest: boolean
}

type ReleaseInputs = Pick<Inputs, 'ohe-release' | 'base-image' | 'variant'> & RegistryInputs

/**
 * The release version: as given, or for `latest` the highest stable `X.Y.Z-<variant>` tag of base-image's repository,
 * read with the credentials registryClientFor uses there (the inputs only for repository's registry, else docker's
 * login for it). Registry failures are RegistryErrors (one-line UserErrors) and pass through as they are: a refusal
 * already says which credentials were tried and how to give the right ones.
 */
export async function resolveRelease(inputs: ReleaseInputs): Promise<ResolvedRelease> {
  const release = inputs['ohe-release']
  if (release.kind === 'version') return { version: release.version, latest: false }

  const base = parseRepository(inputs['base-image'])
  // readInputs has validated base-image; this guards callers that build Inputs themselves.
  if (!base) throw new UserError(`base-image '${inputs['base-image']}' is not an image repository, e.g. ghcr.io/openhands/agent-server.`)
  const tags = await registryClientFor(base.registry, inputs).listTags(base.repository)
  const version = highestRelease(tags, inputs.variant)
  const name = repositoryName(base)
  if (version === undefined) {
    throw new UserError(
      `ohe-release: latest found no release tag X.Y.Z-${inputs.variant} in ${name} (${describeTags(tags)}). ` +
        `Check base-image and variant, or set ohe-release to a version such as 1.23.0.`
    )
  }
  core.info(`ohe-release: latest is ${version}, the highest X.Y.Z-${inputs.variant} tag of ${name} (${tags.length} tag(s) read)`)
  return { version, latest: true }
}

/** A few of the tags that were there, so a wrong variant or repository is obvious. */
function describeTags(tags: readonly string[]): string {
  if (tags.length === 0) return 'it has no tags'
  const shown = tags.slice(0, 5).join(', ')
  return tags.length > 5 ? `${tags.length} tags, e.g. ${shown}` : `its tags: ${shown}`
}
