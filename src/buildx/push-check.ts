/**
 * After a push that docker reported as failed, the registry is asked whether the tag is there with this build's
 * content anyway (dockerd's read-back after a good upload can fail; a retry may have landed): the outputs then say
 * pushed, with the registry's digest. The content is this build's when the tag's image config digest is the built
 * image's (buildx metadata, or the image ID in the docker driver's store).
 */
import { parseImageReference } from '../grammar.js'
import { describeError } from '../errors.js'
import type { RunRegistries } from '../registry/for-inputs.js'
import { withReadBudget } from '../registry/budget.js'
import { runDocker, SHORT_TIMEOUT_MS } from './docker.js'

/** The check is one short look, not another phase. */
const CHECK_BUDGET_MS = 60_000

export type PushCheck = { found: true; digest: string } | { found: false; why: string }

/** The built image's config digest: buildx's metadata first, else the docker driver's local image ID. */
export async function builtConfigDigest(metadataConfigDigest: string | undefined, image: string): Promise<string | undefined> {
  if (metadataConfigDigest !== undefined) return metadataConfigDigest
  const run = await runDocker(['image', 'inspect', '--format', '{{.Id}}', image], { silent: true, timeoutMs: SHORT_TIMEOUT_MS })
  const id = run.stdout.trim()
  return run.exitCode === 0 && /^sha256:[0-9a-f]{64}$/.test(id) ? id : undefined
}

/** Whether `image` (repository:tag) is in its registry with the config `expectedConfig`. Never throws. */
export async function checkPushed(image: string, expectedConfig: string | undefined, registries: RunRegistries): Promise<PushCheck> {
  const reference = parseImageReference(image)
  if (!reference?.tag) return { found: false, why: `${image} is not a tagged reference` }
  if (expectedConfig === undefined) return { found: false, why: 'the built image could not be identified to compare (no metadata, no local image)' }
  try {
    const client = registries.client(reference.registry)
    const tag = reference.tag
    const found = await withReadBudget('the check after a failed push', CHECK_BUDGET_MS, async () => {
      if (!(await client.tagExists(reference.repository, tag))) return undefined
      return client.getImageConfig(reference.repository, tag)
    })
    if (found === undefined) return { found: false, why: `registry ${reference.registry} has no tag ${tag} in ${reference.repository}` }
    if (found.configDigest !== expectedConfig) {
      return { found: false, why: `the tag in registry ${reference.registry} holds another image (config ${found.configDigest}, built ${expectedConfig})` }
    }
    return { found: true, digest: found.indexDigest ?? found.digest }
  } catch (thrown) {
    return { found: false, why: `the registry could not be asked: ${describeError(thrown)}` }
  }
}
