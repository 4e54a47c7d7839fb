/**
 * Pushes exactly the image that was verified: the loaded image is tagged with the final references and pushed by
 * the engine, then the registry's config is read back and its rootfs.diff_ids compared with the verified image's.
 * A registry that fails the read-back after a good push (a 500, a 429 every time) leaves the push standing, with
 * docker push's own digest and a warning.
 */
import * as core from '@actions/core'
import { runWithRetries } from '../buildx/attempts.js'
import { buildFailureMessage, type LoginSettings, type PushSettings } from '../buildx/build.js'
import { runDocker, SHORT_TIMEOUT_MS, type DockerCommand } from '../buildx/docker.js'
import { explainBuildFailure } from '../buildx/hints.js'
import { redact } from '../redaction.js'
import { parseImageReference } from '../grammar.js'
import { describeError, UserError } from '../errors.js'
import type { ImageConfigResult } from '../registry/client.js'
import { RegistryError, type RegistryErrorKind } from '../registry/errors.js'
import type { RunRegistries } from '../registry/for-inputs.js'

export interface PushedVerified {
  /** The registry's manifest digest of the primary reference. */
  digest: string
  /** Compressed sizes of the manifest's layers, base first; empty when the registry could not be read back. */
  layerSizes: number[]
  seconds: number
}

/** Which diff_ids differ, as one sentence; undefined when both lists are equal. Pure. */
export function diffIdMismatch(verified: readonly string[], pushed: readonly string[]): string | undefined {
  if (verified.length === pushed.length && verified.every((id, i) => id === pushed[i])) return undefined
  const first = verified.findIndex((id, i) => id !== pushed[i])
  const at = first < 0 ? verified.length : first
  return `layer ${at + 1}: verified ${verified[at] ?? '(none)'}, registry ${pushed[at] ?? '(none)'} (${verified.length} vs ${pushed.length} layers)`
}

/**
 * Tags the verified image with each reference and pushes it under the same deadlines, watchdog and retries as a
 * buildx push (timeout, push-stall-timeout, push-retries); a failure is classified the same way.
 */
export async function pushVerified(
  localImage: string,
  refs: readonly string[],
  verifiedDiffIds: readonly string[],
  inputs: LoginSettings & PushSettings,
  registries: RunRegistries,
  docker: DockerCommand = runDocker,
  retryDelayMs = 5_000
): Promise<PushedVerified> {
  const started = Date.now()
  const pushedDigests = new Map<string, string>()
  for (const ref of refs) {
    const tag = await docker(['tag', localImage, ref], { silent: true, timeoutMs: SHORT_TIMEOUT_MS })
    if (tag.exitCode !== 0) throw new UserError(`docker tag ${localImage} ${ref} failed: ${explainBuildFailure(tag.stderr)}`)
    const { run, attempts, failure } = await core.group(`Push ${ref}`, () =>
      runWithRetries(docker, ['push', ref], {
        push: true,
        retries: inputs['push-retries'],
        retryDelayMs,
        timeoutMs: inputs.timeout,
        stallMs: inputs['push-stall-timeout'],
        image: ref,
        stallFromStart: true,
        pushOnly: true
      })
    )
    if (run.exitCode !== 0) throw new UserError(redact(buildFailureMessage(run, failure, attempts, { ...inputs, push: true }, ref, 'docker push')))
    const digest = pushedDigest(run.stdout)
    if (digest !== undefined) pushedDigests.set(ref, digest)
  }
  return readBackVerified(refs, verifiedDiffIds, registries, started, pushedDigests)
}

/**
 * The registry holds the verified image at every reference: the primary's rootfs.diff_ids (linux/amd64, so an index
 * with attestation manifests is read through to the image) equal the verified image's, and every extra tag names
 * the same manifest. `started` is when the push began, for the seconds it took; `pushedDigests` what the push
 * reported per reference, which stands when the registry cannot be read back.
 */
export async function readBackVerified(
  refs: readonly string[],
  verifiedDiffIds: readonly string[],
  registries: RunRegistries,
  started: number,
  pushedDigests: ReadonlyMap<string, string>
): Promise<PushedVerified> {
  const primary = refs[0]
  const parsed = primary === undefined ? undefined : parseImageReference(primary)
  if (primary === undefined || parsed === undefined) throw new Error(`no reference to push (${refs.join(', ')})`)
  const client = registries.client(parsed.registry)
  let read: ImageConfigResult
  try {
    read = await client.getImageConfig(parsed.repository, parsed.tag ?? 'latest')
  } catch (thrown) {
    // docker push succeeded and said what it pushed: a registry that cannot be read now does not undo that. An answer
    // that contradicts the push (no such tag, a broken manifest) still fails.
    const digest = pushedDigests.get(primary)
    if (digest === undefined || !couldNotRead(thrown)) throw thrown
    const seconds = Math.round((Date.now() - started) / 100) / 10
    core.warning(
      redact(
        `Pushed ${refs.join(', ')} (${digest}, as docker push reported it), but the read-back from registry ${parsed.registry} could not be done ` +
          `(${describeError(thrown)}), so the registry's layers were not compared with the verified image's.`
      )
    )
    return { digest, layerSizes: [], seconds }
  }
  const mismatch = diffIdMismatch(verifiedDiffIds, read.config.diffIds ?? [])
  if (mismatch !== undefined) {
    throw new UserError(
      `The registry holds an unverified image at ${primary}: its layers differ from the image that was verified (${mismatch}). ` +
        'Something else pushed to that tag meanwhile, or the push was altered; do not use it, and run the workflow again.'
    )
  }
  const digest = read.indexDigest ?? read.digest
  // Every extra tag must name the same manifest.
  for (const ref of refs.slice(1)) {
    const other = parseImageReference(ref)
    if (other === undefined) continue
    let manifest: { digest: string }
    try {
      manifest = await registries.client(other.registry).getManifest(other.repository, other.tag ?? 'latest')
    } catch (thrown) {
      if (pushedDigests.get(ref) !== digest || !couldNotRead(thrown)) throw thrown
      core.warning(
        redact(`docker push reported ${ref} as ${digest}, but reading it back failed (${describeError(thrown)}): it was not checked in the registry.`)
      )
      continue
    }
    if (manifest.digest !== digest) {
      throw new UserError(`The registry holds an unverified image at ${ref}: it points to ${manifest.digest}, the verified image was pushed as ${digest}.`)
    }
  }
  const seconds = Math.round((Date.now() - started) / 100) / 10
  core.info(`Pushed ${refs.join(', ')} (${digest}) in ${seconds} s; the registry's layers are the verified ones (${verifiedDiffIds.length} diff_ids match).`)
  return { digest, layerSizes: (read.layers ?? []).map(layer => layer.size), seconds }
}

/** Read failures that say nothing about what the registry holds: it erred, throttled, timed out or refused the read. */
const COULD_NOT_READ: ReadonlySet<RegistryErrorKind> = new Set(['server', 'rate-limited', 'timeout', 'unreachable', 'unauthorized', 'forbidden'])

function couldNotRead(thrown: unknown): boolean {
  return thrown instanceof RegistryError && COULD_NOT_READ.has(thrown.kind)
}

/** The digest docker push prints last: `<tag>: digest: sha256:… size: 1234`. Pure. */
export function pushedDigest(stdout: string): string | undefined {
  return [...stdout.matchAll(/: digest: (sha256:[0-9a-f]{64}) size: \d+/g)].at(-1)?.[1]
}

/** Removes the local tags the verify phase made (the temp tag and the pushed ones); failures only warn. */
export async function removeLocalImages(refs: readonly string[]): Promise<void> {
  if (refs.length === 0) return
  const run = await runDocker(['image', 'rm', ...refs], { silent: true })
  if (run.exitCode !== 0 && !run.stderr.every(line => /No such image/i.test(line))) {
    core.warning(`Could not remove the local image(s) ${refs.join(', ')}: ${run.stderr.at(-1) ?? run.exitCode}`)
  }
}
