import * as core from '@actions/core'
import type { ScannedClean } from '../secrets/scanned-clean.js'
import { buildAndPush, buildIo, login, type BuildFacts, type BuildIo, type BuildResult, type LoginSettings, type PushSettings } from '../buildx/build.js'
import {
  planAttestations,
  readAttestationSupport,
  recordedArgWarning,
  type AttestationPlan,
  type AttestationSettings,
  type AttestationSupport
} from '../buildx/attestations.js'
import type { BuildSettings } from '../buildx/plan.js'
import { secretLookingBuildArgs } from '../buildx/secret-args.js'
import type { ResolvedTags } from '../buildx/tags.js'
import { baseDigest } from '../image/base-digest.js'
import { findUnchangedImage } from '../image/unchanged.js'
import { verifyPushedImage, type ContractReport } from '../verify/read-back.js'
import { PHASE_READ_BUDGET_MS, withReadBudget } from '../registry/budget.js'
import { publishVerified } from '../verify/publish-verified.js'
import type { VerifyReport, VerifySettings } from '../verify/verify.js'
import type { ResolvedRuntime } from '../release/runtime-spec.js'
import type { RunRegistries } from '../registry/for-inputs.js'

/** The settings publishing reads, named as in action.yml. */
export type PublishSettings = BuildSettings &
  LoginSettings &
  PushSettings &
  VerifySettings &
  AttestationSettings & { 'skip-unchanged': boolean; verify: boolean }

export interface PublishFacts {
  release: string
  /** The run's tags, resolved once. */
  tags: ResolvedTags
  /** The commit sha: the revision label and the skip decision use the same one. */
  sha?: string
  repositoryUrl?: string
  workspace: string
  tempDir: string
  /** The OHE release it was resolved from; empty when agent-server-version pinned it. */
  oheRelease?: string
  /** The image the final stage is built FROM (the agent-server, or a custom image for a layered one). */
  baseReference?: string
  /** The agent-server image under it, whose contract the pushed image must keep. */
  agentServerReference?: string
  /** The final stage's FROM line, where a broken contract is annotated. */
  fromLine?: number
  /** Build-args the checks added (the release for an ARG-based base tag). */
  buildArgs?: Record<string, string>
  /** This run's URL, the provenance's builder-id. */
  runUrl?: string
  /** How the target release starts a sandbox: the boot check runs the image so. */
  runtime?: ResolvedRuntime
  /** The files the context scan found clean: the layer scan hashes their copies instead of scanning them. */
  scannedClean?: ScannedClean
  /** The run's registry clients, made once beside the plan. */
  registries: RunRegistries
  /** Receives the verify phase's report as soon as it exists, also when it fails (issue 11). */
  onVerify?: (report: VerifyReport) => void
}

export interface PublishResult {
  build: BuildResult
  /** True when skip-unchanged found the image already built from the same base and revision. */
  unchanged: boolean
  contract?: ContractReport
  verify?: VerifyReport
  /** Why the image was not verified before the push although verify is true (no engine to run it in). */
  unverified?: string
  /** The attestations of the push, when something was pushed. */
  attestations?: AttestationPlan
}

/** Why verify could not run, and what happened instead. */
const noEngine = (push: boolean): string =>
  `no Docker engine answers here (a remote builder?), so the image was ${push ? 'pushed' : 'built'} without being verified first`

/** Builds and pushes, or keeps an unchanged image; then verifies the pushed image's contract in the registry. */
export async function publish(settings: PublishSettings, facts: PublishFacts, io: BuildIo = buildIo): Promise<PublishResult> {
  // The digest labels a pushed image and decides skip-unchanged; an image that is not pushed needs neither. The
  // builder's attestation support and whether an engine answers are asked at the same time: each is a round trip
  // the build would otherwise wait for in turn.
  const [digestOfBase, , support, engine] = await Promise.all([
    facts.baseReference && settings.push
      ? withReadBudget('the base digest', PHASE_READ_BUDGET_MS, () => baseDigest(facts.baseReference ?? '', facts.registries))
      : undefined,
    settings.push ? login(settings, io.docker) : undefined,
    settings.push && wantsAttestations(settings) ? readAttestationSupport(settings.builder, io.docker) : undefined,
    settings.verify ? io.engineAvailable() : false
  ])
  const { tag, refs } = facts.tags

  if (settings['skip-unchanged'] && settings.push && settings.repository) {
    const unchanged = await withReadBudget('skip-unchanged', PHASE_READ_BUDGET_MS, () =>
      findUnchangedImage(settings, facts.registries, { repository: settings.repository, tag, sha: facts.sha, baseDigest: digestOfBase })
    )
    if (unchanged) {
      const image = refs[0] ?? `${settings.repository}:${tag}`
      if (refs.length > 1) core.warning(`skip-unchanged kept ${image}; the extra tags (${refs.slice(1).join(', ')}) were not moved to it.`)
      return { build: { tags: [image], repository: settings.repository, tag, image, digest: unchanged.digest, pushed: false, seconds: 0 }, unchanged: true }
    }
  }

  const buildSettings = { ...settings, 'build-args': { ...facts.buildArgs, ...settings['build-args'] } }
  const attestations = settings.push ? pushAttestations(settings, buildSettings['build-args'], facts.runUrl, support) : undefined
  const buildFacts: BuildFacts = {
    release: facts.release,
    oheRelease: facts.oheRelease,
    tags: facts.tags,
    baseReference: facts.baseReference,
    baseDigest: digestOfBase,
    sha: facts.sha,
    repositoryUrl: facts.repositoryUrl,
    workspace: facts.workspace,
    tempDir: facts.tempDir,
    loggedIn: settings.push,
    registries: facts.registries,
    ...(attestations ? { attestations } : {})
  }
  // Build into the engine, verify, push exactly that image; without an engine (a remote builder) there is nothing to
  // run the image in, so it is pushed unverified, and the notice says so.
  let verify: VerifyReport | undefined
  let build: BuildResult
  if (settings.verify && engine) {
    const onReport = (report: VerifyReport): void => {
      verify = report
      facts.onVerify?.(report)
    }
    const verifyFacts = {
      ...buildFacts,
      agentServerReference: facts.agentServerReference,
      ...(facts.runtime ? { runtime: facts.runtime } : {}),
      ...(facts.scannedClean ? { scannedClean: facts.scannedClean } : {})
    }
    build = (await publishVerified(buildSettings, verifyFacts, onReport, io)).build
  } else {
    if (settings.verify) core.notice(`verify: ${noEngine(settings.push)}.`)
    build = await buildAndPush(buildSettings, buildFacts, io)
  }
  const digest = build.digest
  const agentServer = facts.agentServerReference
  const verified = { ...(verify ? { verify } : {}), ...(settings.verify && !verify ? { unverified: noEngine(settings.push) } : {}) }
  const attested = build.pushed && attestations ? { attestations } : {}
  if (!build.pushed || !digest || !agentServer) return { build, unchanged: false, ...verified, ...attested }
  const contract = await core.group('Verify the image contract in the registry', () =>
    withReadBudget('the contract verification', PHASE_READ_BUDGET_MS, () =>
      verifyPushedImage(settings, facts.registries, { repository: build.repository, tag: build.tag, digest }, agentServer, {
        line: facts.fromLine,
        // The base digest names the agent-server only when the image is built directly on it.
        baseDigest: agentServer === facts.baseReference ? digestOfBase : undefined
      })
    )
  )
  return { build, unchanged: false, contract, ...verified, ...attested }
}

/** The push's attestations, decided once: what was asked for, what the builder and engine can keep, and what to say. */
function pushAttestations(
  settings: AttestationSettings,
  buildArgs: Record<string, string>,
  runUrl: string | undefined,
  support: AttestationSupport = { driver: 'unknown', containerdStore: false }
): AttestationPlan {
  const plan = planAttestations(settings, support, runUrl, settings.provenance !== false ? secretLookingBuildArgs(buildArgs) : [])
  if (plan.notice) core.notice(plan.notice)
  for (const name of plan.recorded) core.warning(recordedArgWarning(name))
  return plan
}

/** Provenance or an SBOM is asked for, so the builder's support matters. */
const wantsAttestations = (settings: AttestationSettings): boolean => settings.provenance !== false || settings.sbom !== false
