import * as core from '@actions/core'
import { buildAndPush, login, type BuildResult } from '../build/build.js'
import { tagRequest } from '../build/plan.js'
import { resolveTags } from '../build/tags.js'
import { baseDigest } from '../image/base-digest.js'
import { findUnchangedImage } from '../image/unchanged.js'
import { verifyPushedImage, type ContractReport } from '../image/verify.js'
import type { Inputs } from '../inputs.js'
import { PHASE_READ_BUDGET_MS, withReadBudget } from '../registry/budget.js'

export interface PublishFacts {
  release: string
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
export async function publish(inputs: Inputs, facts: PublishFacts): Promise<PublishResult> {
  // The same sha goes into the revision label and into the skip decision.
  const sha = process.env.GITHUB_SHA || undefined
  // The digest labels a pushed image and decides skip-unchanged; an image that is not pushed needs neither. Both
  // network round trips run at once.
  const [digestOfBase] = await Promise.all([
    facts.baseReference && inputs.push ? withReadBudget('the base digest', PHASE_READ_BUDGET_MS, () => baseDigest(facts.baseReference ?? '', inputs)) : undefined,
    inputs.push ? login(inputs) : undefined
  ])
  const buildInputs: Inputs = { ...inputs, 'build-args': { ...facts.buildArgs, ...inputs['build-args'] } }

  if (inputs['skip-unchanged'] && inputs.push && inputs.repository) {
    const { tag, refs } = resolveTags(tagRequest(inputs, facts.release, sha))
    const unchanged = await withReadBudget('skip-unchanged', PHASE_READ_BUDGET_MS, () =>
      findUnchangedImage(inputs, { repository: inputs.repository, tag, sha, baseDigest: digestOfBase })
    )
    if (unchanged) {
      const image = refs[0] ?? `${inputs.repository}:${tag}`
      if (refs.length > 1) core.warning(`skip-unchanged kept ${image}; the extra tags (${refs.slice(1).join(', ')}) were not moved to it.`)
      return { build: { tags: [image], repository: inputs.repository, tag, image, digest: unchanged.digest, pushed: false, seconds: 0 }, unchanged: true }
    }
  }

  const build = await buildAndPush(buildInputs, { release: facts.release, baseReference: facts.baseReference, baseDigest: digestOfBase, sha, loggedIn: inputs.push })
  const digest = build.digest
  const agentServer = facts.agentServerReference
  if (!build.pushed || !digest || !agentServer) return { build, unchanged: false }
  const contract = await core.group('Verify the image contract in the registry', () =>
    withReadBudget('the contract verification', PHASE_READ_BUDGET_MS, () => verifyPushedImage(inputs, { repository: build.repository, tag: build.tag, digest }, agentServer, {
      line: facts.fromLine,
      // The base digest names the agent-server only when the image is built directly on it.
      baseDigest: agentServer === facts.baseReference ? digestOfBase : undefined
    }))
  )
  return { build, unchanged: false, contract }
}
