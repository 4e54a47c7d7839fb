import * as core from '@actions/core'
import path from 'node:path'
import { parseRepository } from '../docker/reference.js'
import { UserError } from '../errors.js'
import { redact, rememberSecret } from '../redaction.js'
import { commitTime } from '../git/commit-time.js'
import { workspacePath } from '../github/annotations.js'
import { workspaceDir, type Inputs } from '../inputs.js'
import { buildxArgs } from './argv.js'
import { dockerLogin, runDocker } from './docker.js'
import { explainBuildFailure, failedDockerfileLine } from './hints.js'
import { readMetadata } from './metadata.js'
import { planBuild, tagRequest } from './plan.js'
import { makePrivateDir, removeDir, writeSecretFiles, type SecretFile } from './secret-files.js'
import { STATE } from './state.js'
import { resolveTags } from './tags.js'

/** What the earlier phases and the runner know; the orchestrator's values win over the runner's environment. */
export interface BuildFacts {
  /** The resolved agent-server version, e.g. 1.23.0. */
  release: string
  /** The resolved base reference, e.g. ghcr.io/openhands/agent-server:1.23.0-python. */
  baseReference?: string
  baseDigest?: string
  /** The full commit sha; defaults to GITHUB_SHA. */
  sha?: string
  /** e.g. https://github.com/acme/sandbox; defaults to GITHUB_SERVER_URL/GITHUB_REPOSITORY. */
  repositoryUrl?: string
  /** The caller already ran login(inputs), e.g. beside another network call. */
  loggedIn?: boolean
}

export interface BuildResult {
  /** Full references, `repository:tag`, the primary first; empty without a repository. */
  tags: string[]
  /** The `repository` input; empty when building without one (push: false). */
  repository: string
  /** The primary tag: the Admin Console's Sandbox Image Tag. */
  tag: string
  /** `repository:tag`; empty without a repository. */
  image: string
  /** The pushed manifest digest, from buildx's metadata; absent when nothing was pushed. */
  digest?: string
  /** True only when buildx exited 0 with --push and reported the digest. */
  pushed: boolean
  /** How long buildx ran. */
  seconds: number
}

/**
 * The build phase: log in when credentials are given, write the secret files, run buildx for linux/amd64 (pushing
 * unless push is false) and read back the digest. A failed build throws a UserError with buildx's own error lines
 * and a hint. The temp dir is removed here and again by the post step, in case this step is cancelled midway.
 */
export async function buildAndPush(inputs: Inputs, facts: BuildFacts): Promise<BuildResult> {
  const sha = facts.sha || process.env.GITHUB_SHA || undefined
  const repositoryUrl = facts.repositoryUrl || runnerRepositoryUrl()
  // Resolved before any side effect, so a bad tag fails before the login and the temp dir; planBuild resolves the same.
  const { tag, refs } = resolveTags(tagRequest(inputs, facts.release, sha))
  const image = refs[0] ?? ''
  const workspace = workspaceDir()
  core.info(refs.length > 0 ? `Tags: ${refs.join(', ')}` : `Tag ${tag} is not used: no repository is set, so the image is built without a name.`)

  rememberInputSecrets(inputs)
  const workDir = await makePrivateDir()
  core.saveState(STATE.tempDir, workDir)
  try {
    if (!facts.loggedIn) await login(inputs)

    let secretFiles: SecretFile[] = []
    if (inputs.secrets.length > 0) {
      core.info(`Passing ${inputs.secrets.length} build secret(s) as files in a private temp dir: ${inputs.secrets.map(s => s.id).join(', ')}`)
      secretFiles = (await writeSecretFiles(inputs.secrets, workDir)).files
    }

    const plan = planBuild(inputs, {
      release: facts.release,
      sha,
      created: (await commitTime(inputs.context)) ?? new Date(),
      repositoryUrl,
      baseReference: facts.baseReference,
      baseDigest: facts.baseDigest,
      secretFiles,
      metadataFile: path.join(workDir, 'metadata.json')
    })
    const shownFile = workspacePath(inputs.file, workspace)
    const what = image || 'the image'
    core.info(
      `${inputs.push ? 'Building and pushing' : 'Building (not pushing)'} ${what} for linux/amd64 from ${shownFile}` +
        `${inputs.builder ? ` on builder ${inputs.builder}` : ''}; the build log is in the group below.`
    )
    const started = Date.now()
    const run = await core.group(`Build ${what}`, () => runDocker(buildxArgs(plan)))
    const seconds = Math.round((Date.now() - started) / 100) / 10
    if (run.exitCode !== 0) {
      core.info(`The build failed after ${seconds} s.`)
      const line = failedDockerfileLine(run.stderr, path.basename(inputs.file))
      const message = `docker buildx build failed (exit code ${run.exitCode}):\n${explainBuildFailure(run.stderr)}`
      throw new UserError(redact(message), line ? inputs.file : undefined, line)
    }

    const { digest } = await readMetadata(plan.metadataFile)
    const pushed = inputs.push && digest !== undefined
    if (pushed) {
      core.info(`Pushed ${image} (${digest}) in ${seconds} s.`)
    } else if (inputs.push) {
      // Without the digest nothing proves what reached the registry; the outputs must not claim it.
      core.warning(`buildx finished but reported no image digest in its metadata file, so ${image} is not reported as pushed.`)
    } else {
      core.info(`Built in ${seconds} s; not pushed (push is false).`)
    }
    return { tags: refs, repository: inputs.repository, tag, image, ...(pushed ? { digest } : {}), pushed, seconds }
  } finally {
    await removeDir(workDir)
  }
}

/** Logs in to the repository's registry when credentials are given; otherwise docker's own credentials apply. */
export async function login(inputs: Inputs): Promise<void> {
  const username = inputs['registry-username']
  if (!username) return
  const registry = inputs.repository ? parseRepository(inputs.repository)?.registry : undefined
  if (registry === undefined) {
    core.warning('registry-username is set but repository is not: not logging in, as the registry to log in to is unknown.')
    return
  }
  rememberInputSecrets(inputs)
  core.info(`Logging in to ${registry} as ${username}`)
  const run = await dockerLogin(registry, username, inputs['registry-password'])
  if (run.exitCode !== 0) {
    throw new UserError(redact(`docker login to ${registry} as ${username} failed:\n${explainBuildFailure(run.stderr)}`))
  }
  // Only a registry this step logged in to is logged out again: one from docker/login-action stays for later steps.
  core.saveState(STATE.registry, registry)
}

/** The inputs' secret values, for the one redaction function (readInputs adds them too; a direct caller may not). */
function rememberInputSecrets(inputs: Pick<Inputs, 'registry-password' | 'secrets'>): void {
  rememberSecret(inputs['registry-password'])
  for (const secret of inputs.secrets) rememberSecret(secret.value)
}

function runnerRepositoryUrl(): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository } = process.env
  return server && repository ? `${server}/${repository}` : undefined
}
