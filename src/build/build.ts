import * as core from '@actions/core'
import path from 'node:path'
import { parseRepository } from '../docker/reference.js'
import { UserError } from '../errors.js'
import { redact, rememberSecret } from '../redaction.js'
import { commitTime } from '../git/commit-time.js'
import { workspacePath } from '../github/annotations.js'
import { workspaceDir, type Inputs } from '../inputs.js'
import { buildxArgs } from './argv.js'
import { dockerEnvironment } from '../docker/child-env.js'
import { escapeWorkflowCommands } from '../input-text.js'
import { runWithRetries } from './attempts.js'
import { dockerLogin, formatDuration, LOGIN_TIMEOUT_MS, type DockerRun } from './docker.js'
import { explainBuildFailure, failedDockerfileLine } from './hints.js'
import { readMetadata } from './metadata.js'
import { planBuild, tagRequest } from './plan.js'
import { builtConfigDigest, checkPushed } from './push-check.js'
import { pushFailureMessage, reachedPush, type PushFailure } from './push-failure.js'
import { isRunDockerConfig, storeLoginInFile } from './run-config.js'
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
  /** First back-off before a push retry, doubled per retry. Default 5 s. */
  pushRetryDelayMs?: number
}

const DEFAULT_PUSH_RETRY_DELAY_MS = 5_000

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
  core.info(escapeWorkflowCommands(refs.length > 0 ? `Tags: ${refs.join(', ')}` : `Tag ${tag} is not used: no repository is set, so the image is built without a name.`))

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
      escapeWorkflowCommands(
        `${inputs.push ? 'Building and pushing' : 'Building (not pushing)'} ${what} for linux/amd64 from ${shownFile}` +
          `${inputs.builder ? ` on builder ${inputs.builder}` : ''}; the build log is in the group below.`
      )
    )
    const started = Date.now()
    const { run, attempts, failure } = await core.group(`Build ${what}`, () =>
      runWithRetries(buildxArgs(plan), {
        push: inputs.push,
        retries: inputs['push-retries'],
        retryDelayMs: facts.pushRetryDelayMs ?? DEFAULT_PUSH_RETRY_DELAY_MS,
        timeoutMs: inputs.timeout,
        stallMs: inputs['push-stall-timeout'],
        image: what
      })
    )
    const seconds = Math.round((Date.now() - started) / 100) / 10
    if (run.exitCode !== 0) {
      core.info(`The build failed after ${seconds} s.`)
      const line = failedDockerfileLine(run.stderr, path.basename(inputs.file))
      let message = buildFailureMessage(run, failure, attempts, inputs, image)
      // A push docker called failed may still have landed (its read-back failed, or a retry did): the registry says.
      if (inputs.push && image && (failure !== undefined || run.killed !== undefined || reachedPush(run.stderr))) {
        const check = await checkPushed(image, await builtConfigDigest((await readMetadata(plan.metadataFile)).configDigest, image), inputs)
        if (check.found) {
          core.warning(
            redact(`docker reported the push as failed (${(failure?.line ?? run.killed?.reason) ?? 'unknown'}), but registry ${pushRegistryOf(inputs)} has ${image} ` +
              `with this build's content (${check.digest}): it is reported as pushed.`)
          )
          return { tags: refs, repository: inputs.repository, tag, image, digest: check.digest, pushed: true, seconds }
        }
        message += `\nNot pushed: ${check.why}.`
      }
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
  core.info(escapeWorkflowCommands(`Logging in to ${registry} as ${username}`))
  // In this run's own docker config the login replaces nothing of the user's (it goes to that file, not a helper).
  const config = dockerEnvironment().DOCKER_CONFIG
  const ownConfig = config !== undefined && isRunDockerConfig(config)
  if (ownConfig) await storeLoginInFile(config, registry)
  const run = await dockerLogin(registry, username, inputs['registry-password'])
  if (run.killed) {
    const daemon = dockerEnvironment().DOCKER_HOST ?? 'unix:///var/run/docker.sock'
    throw new UserError(
      redact(`docker login to ${registry} as ${username} did not finish within ${formatDuration(LOGIN_TIMEOUT_MS)} and was stopped: the Docker daemon at ${daemon} or registry ${registry} does not answer. Check that dockerd is running and responsive (docker info), and that ${registry} is reachable.`)
    )
  }
  if (run.exitCode !== 0) {
    throw new UserError(redact(`docker login to ${registry} as ${username} failed:\n${explainBuildFailure(run.stderr)}`))
  }
  // A login in the user's own config (no per-run config: an embedding host) is logged out again in the post step;
  // one in this run's config goes with that config.
  if (!ownConfig) core.saveState(STATE.registry, registry)
}

/** The message of a failed build or push: what was stopped and why, or the classified push failure, then buildx's lines and hints. */
function buildFailureMessage(run: DockerRun, failure: PushFailure | undefined, attempts: number, inputs: Inputs, image: string): string {
  const registry = pushRegistryOf(inputs) ?? 'the registry'
  const details = explainBuildFailure(run.stderr)
  if (run.killed) {
    const { reason, afterMs, lastLine } = run.killed
    const doing = inputs.push && image ? `building and pushing ${image} to ${registry}` : `building ${image || 'the image'}`
    const why =
      reason === 'stall'
        ? `it showed no progress for ${formatDuration(inputs['push-stall-timeout'])} (push-stall-timeout)`
        : `the timeout of ${formatDuration(inputs.timeout)} passed (timeout)`
    return (
      `docker buildx build (${doing}) was stopped after ${formatDuration(afterMs)}: ${why}; docker and every process it started were killed.` +
      (lastLine !== undefined ? `\nLast output: ${lastLine.trim()}` : '')
    )
  }
  if (failure !== undefined && image) {
    const username = inputs['registry-username']
    const account = username ? `registry-username ${username}` : `the login docker has for ${registry} (docker login or docker/login-action)`
    return `${pushFailureMessage(failure, { image, registry, account }, attempts)}\n${details}`
  }
  return `docker buildx build failed (exit code ${run.exitCode}):\n${details}`
}

function pushRegistryOf(inputs: Pick<Inputs, 'repository'>): string | undefined {
  return inputs.repository ? parseRepository(inputs.repository)?.registry : undefined
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
