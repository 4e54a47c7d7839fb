/**
 * Build once, verify, push exactly that: the image is built into the Docker engine (under a temporary local tag, or
 * under its own tags with its attestations where the image store keeps them), verified (verifyImage), and only then
 * pushed: the blobs the engine sent to the verify phase's loopback registry are uploaded as they were scanned, or
 * the engine pushes the image. The engine keeps it under the pushed tags, and the registry's rootfs.diff_ids are
 * compared with the verified image's before the digest is reported.
 */
import type { ScannedClean } from '../secrets/scanned-clean.js'
import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { buildAndPush, type BuildFacts, type BuildIo, type BuildResult, type LoginSettings, type PushSettings } from '../buildx/build.js'
import { SHORT_TIMEOUT_MS } from '../buildx/docker.js'
import type { BuildSettings } from '../buildx/plan.js'
import { makePrivateDir, removeDir } from '../buildx/secret-files.js'
import { describeError, UserError } from '../errors.js'
import { redact } from '../redaction.js'
import type { RunRegistries } from '../registry/for-inputs.js'
import { ACTION_VERSION } from '../version.js'
import type { SentImage } from './loopback-export.js'
import { pushVerified, readBackVerified, removeLocalImages, type PushedVerified } from './push.js'
import { uploadSent, type UploadResult } from './upload-sent.js'
import { VERIFY_STATE } from './state.js'
import type { ResolvedRuntime } from '../release/runtime-spec.js'
import { layerReadEnded, startLayerRead, verifyImage, type LayerRead, type VerifyFacts, type VerifyReport, type VerifySettings } from './verify.js'

export interface VerifiedPublish {
  build: BuildResult
  verify: VerifyReport
}

/** A local tag no registry can receive: `ohe-sandbox-verify:<random>`. */
export function verifyTag(): string {
  return `ohe-sandbox-verify:${randomBytes(8).toString('hex')}`
}

/**
 * Throws a UserError when verification fails (the report goes to `onReport` first, for the summary), and
 * nothing is pushed then.
 */
export async function publishVerified(
  inputs: BuildSettings & LoginSettings & PushSettings & VerifySettings,
  facts: BuildFacts & { agentServerReference?: string; runtime?: ResolvedRuntime; scannedClean?: ScannedClean },
  onReport: (report: VerifyReport) => void,
  io: BuildIo
): Promise<VerifiedPublish> {
  const { refs } = facts.tags
  // An image store that keeps attestations holds the image under its own tags with them: that image is verified and
  // pushed. Otherwise it is loaded under a temporary tag without them, and an attested push is a build of its own.
  const attested = inputs.push && facts.attestations?.attached === true
  const loadedAttested = attested && facts.attestations?.keptByLoad === true && refs.length > 0
  const local = loadedAttested ? (refs[0] as string) : verifyTag()
  core.saveState(VERIFY_STATE.image, local)
  const workDir = await makePrivateDir(facts.tempDir)
  core.saveState(VERIFY_STATE.tempDir, workDir)
  const made = loadedAttested ? [...refs] : [local]
  // One `created` label for the loaded build and the attested push, so that both have the same config.
  const created = (await io.commitTime(inputs.context)) ?? io.now()
  const sameBuild: BuildIo = { ...io, commitTime: async () => created }
  // The blobs the engine sends the verify phase are kept when they are what gets pushed.
  const keepSent = inputs.push && (!attested || loadedAttested)
  // The boot-check container and the loopback tag are removed while the push goes on, and before the image is.
  const removals: Array<Promise<void>> = []
  const verifyFacts: VerifyFacts = {
    image: local,
    release: facts.release,
    ...(facts.agentServerReference ? { agentServerReference: facts.agentServerReference } : {}),
    ...(facts.runtime ? { runtime: facts.runtime } : {}),
    ...(facts.scannedClean ? { scannedClean: facts.scannedClean } : {}),
    workDir,
    registries: facts.registries,
    workspace: facts.workspace,
    version: ACTION_VERSION,
    keepSent,
    deferRemoval: removed => removals.push(removed)
  }
  // The layer read begins as soon as the build's log says the engine holds the image: a containerd image store
  // then still unpacks it for seconds (measured: 3.6-5.2 s on Docker 26 for a 311 MB layer, longer than the read).
  const early: { read?: LayerRead } = {}
  const onLoadNamed = (): void => {
    early.read = startLayerRead(verifyFacts, true)
  }
  try {
    const built = await buildAndPush(inputs, { ...facts, ...(loadedAttested ? { loadAttested: true } : { loadAs: local }), onLoadNamed }, sameBuild)
    const report = await verifyImage(inputs, verifyFacts, early.read)
    onReport(report)
    if (report.problems.length > 0) {
      throw new UserError(`Verification of the built image failed: ${report.problems.join('; ')} (see the annotations); nothing was pushed.`, inputs.file)
    }
    if (!inputs.push || built.tags.length === 0) {
      core.info(`Verified in ${report.seconds} s; not pushed (push is false).`)
      return { build: built, verify: report }
    }
    core.info(`Verified in ${report.seconds} s; pushing.`)
    for (const ref of built.tags) if (!made.includes(ref)) made.push(ref)
    const pushed =
      attested && !loadedAttested
        ? await pushAttested(inputs, facts, report.diffIds, sameBuild)
        : await pushTheVerified(local, built.tags, report, inputs, facts, io)
    // The engine keeps the image under its pushed tags, as a bare `buildx build --push` leaves it: only the temporary
    // tag goes. Deleting the content is what costs (measured: 19.5 s for a 311 MB layer on Docker 26's containerd
    // store, 0.04 s to untag).
    made.splice(loadedAttested ? 0 : 1)
    const customSizes = pushed.layerSizes.slice(report.baseLayers)
    if (customSizes.length === report.size.layers) {
      // The same object onReport received: the summary shows the registry's sizes.
      report.size.compressed = customSizes.reduce((a, b) => a + b, 0)
      report.size.compressedSource = 'registry'
    }
    return { build: { ...built, digest: pushed.digest, pushed: true, seconds: built.seconds + pushed.seconds }, verify: report }
  } finally {
    // A read begun beside a build that then failed ends before its image and temp dir go.
    await layerReadEnded(early.read)
    await Promise.all(removals)
    await removeLocalImages(made)
    await removeDir(workDir)
    core.saveState(VERIFY_STATE.image, '')
  }
}

/**
 * The verified image to the registry: the blobs the engine sent to the loopback registry, uploaded by the action
 * (uploadSent), when they were kept; else, or when that upload fails, a `docker push` of the loaded image.
 * Either way the engine keeps it under the pushed tags, and the registry's diff_ids are read back.
 */
async function pushTheVerified(
  local: string,
  refs: readonly string[],
  report: VerifyReport,
  inputs: LoginSettings & PushSettings,
  facts: { registries: RunRegistries; agentServerReference?: string },
  io: BuildIo
): Promise<PushedVerified> {
  if (report.sent === undefined) return pushVerified(local, refs, report.diffIds, inputs, facts.registries, io.docker)
  const started = Date.now()
  let uploaded: UploadResult
  try {
    uploaded = await core.group(`Push ${refs.join(', ')}`, () =>
      uploadSent(report.sent as SentImage, refs, {
        registries: facts.registries,
        ...(facts.agentServerReference ? { baseReference: facts.agentServerReference } : {}),
        timeoutMs: inputs.timeout,
        stallMs: inputs['push-stall-timeout'],
        retries: inputs['push-retries']
      })
    )
  } catch (thrown) {
    // docker may hold credentials this client cannot send (an identity token), and a registry may want a protocol
    // it does not speak: the engine's own push is the fallback, and reports wrong credentials in its own words.
    core.warning(redact(`The upload of the verified image's blobs did not complete (${describeError(thrown)}); pushing it with docker push instead.`))
    return pushVerified(local, refs, report.diffIds, inputs, facts.registries, io.docker)
  }
  // As after a docker push, the engine holds the image under the tags it now has in the registry.
  for (const ref of refs) {
    if (ref === local) continue
    const tagged = await io.docker(['tag', local, ref], { silent: true, timeoutMs: SHORT_TIMEOUT_MS })
    if (tagged.exitCode !== 0) core.warning(`Pushed, but could not tag the local image as ${ref}: ${tagged.stderr.at(-1) ?? tagged.exitCode}`)
  }
  return readBackVerified(refs, report.diffIds, facts.registries, started, new Map(refs.map(ref => [ref, uploaded.digest])))
}

/**
 * The push that carries the attestations: the same build again with --push, every step from the build cache, so
 * BuildKit attaches provenance and SBOM to an index whose subject is the repository (a `docker push` of the loaded
 * image could only carry what the local tag got). The registry's diff_ids must still be the verified image's.
 */
async function pushAttested(
  inputs: BuildSettings & LoginSettings & PushSettings & VerifySettings,
  facts: BuildFacts,
  verifiedDiffIds: readonly string[],
  io: BuildIo
): Promise<PushedVerified> {
  const started = Date.now()
  core.info('Pushing the verified build with its attestations: the same build again, from the build cache, with --push.')
  const pushed = await buildAndPush(inputs, { ...facts, loadAs: undefined, loggedIn: true }, io)
  if (!pushed.pushed || pushed.digest === undefined) {
    throw new UserError(`buildx reported no digest for the push of ${pushed.image}, so it is not reported as pushed.`)
  }
  const digest = pushed.digest
  return readBackVerified(pushed.tags, verifiedDiffIds, facts.registries, started, new Map(pushed.tags.map(ref => [ref, digest])))
}
