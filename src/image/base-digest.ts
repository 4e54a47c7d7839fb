import * as core from '@actions/core'
import { describeError } from '../errors.js'
import { parseImageReference } from '../grammar.js'
import type { RunRegistries } from '../registry/for-inputs.js'

/**
 * The digest the base reference stands for: the one pinned in it (`…@sha256:…`), else the manifest or index digest
 * its tag points to now. It goes into the `org.opencontainers.image.base.digest` label and decides skip-unchanged.
 * An unreadable registry only warns: the build pulls the base itself and fails clearly if it is really unreachable.
 */
export async function baseDigest(baseReference: string, registries: RunRegistries): Promise<string | undefined> {
  const reference = parseImageReference(baseReference)
  if (reference === undefined) {
    core.warning(`The base digest is unknown: '${baseReference}' is not an image reference.`)
    return undefined
  }
  // A pinned digest is what the build pulls, whatever the tag points to now.
  if (reference.digest !== undefined) return reference.digest
  try {
    const manifest = await registries.client(reference.registry).getManifest(reference.repository, reference.tag ?? 'latest')
    return manifest.digest
  } catch (thrown) {
    core.warning(
      `Could not read the digest of the base ${baseReference}: ${describeError(thrown)}. ` +
        'The image gets no org.opencontainers.image.base.digest label and skip-unchanged cannot skip.'
    )
    return undefined
  }
}
