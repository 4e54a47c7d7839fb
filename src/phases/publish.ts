import * as core from '@actions/core'
import { buildAndPush, buildIo, login, type BuildIo, type BuildResult, type LoginSettings } from '../build/build.js'
import type { BuildSettings } from '../build/plan.js'
import type { ResolvedTags } from '../build/tags.js'
import { baseDigest } from '../image/base-digest.js'
import { findUnchangedImage } from '../image/unchanged.js'
import { verifyPushedImage, type ContractReport } from '../image/verify.js'

/** The settings publishing reads, named as in action.yml. */
export type PublishSettings = BuildSettings & LoginSettings & { 'skip-unchanged': boolean }

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
}

export interface PublishResult {
  build: BuildResult
  /** True when skip-unchanged found the image already built from the same base and revision. */
  unchanged: boolean
  contract?: ContractReport
}

/** Builds and pushes, or keeps an unchanged image; then verifies the pushed image's contract in the registry. */
export async function publish(settings: PublishSettings, facts: PublishFacts, io: BuildIo = buildIo): Promise<PublishResult> {
  // The digest labels a pushed image and decides skip-unchanged; an image that is not pushed needs neither. Both
  // network round trips run at once.
  const [digestOfBase] = await Promise.all([
    facts.baseReference && settings.push ? baseDigest(facts.baseReference, settings) : undefined,
    settings.push ? login(settings, io.docker) : undefined
  ])
  const { tag, refs } = facts.tags

  if (settings['skip-unchanged'] && settings.push && settings.repository) {
    const unchanged = await findUnchangedImage(settings, { repository: settings.repository, tag, sha: facts.sha, baseDigest: digestOfBase })
    if (unchanged) {
      const image = refs[0] ?? `${settings.repository}:${tag}`
      if (refs.length > 1) core.warning(`skip-unchanged kept ${image}; the extra tags (${refs.slice(1).join(', ')}) were not moved to it.`)
      return { build: { tags: [image], repository: settings.repository, tag, image, digest: unchanged.digest, pushed: false, seconds: 0 }, unchanged: true }
    }
  }

  const buildSettings = { ...settings, 'build-args': { ...facts.buildArgs, ...settings['build-args'] } }
  const build = await buildAndPush(
    buildSettings,
    {
      release: facts.release,
      oheRelease: facts.oheRelease,
      tags: facts.tags,
      baseReference: facts.baseReference,
      baseDigest: digestOfBase,
      sha: facts.sha,
      repositoryUrl: facts.repositoryUrl,
      workspace: facts.workspace,
      tempDir: facts.tempDir,
      loggedIn: settings.push
    },
    io
  )
  const digest = build.digest
  const agentServer = facts.agentServerReference
  if (!build.pushed || !digest || !agentServer) return { build, unchanged: false }
  const contract = await core.group('Verify the image contract in the registry', () =>
    verifyPushedImage(settings, { repository: build.repository, tag: build.tag, digest }, agentServer, {
      line: facts.fromLine,
      // The base digest names the agent-server only when the image is built directly on it.
      baseDigest: agentServer === facts.baseReference ? digestOfBase : undefined
    })
  )
  return { build, unchanged: false, contract }
}
