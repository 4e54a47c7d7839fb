import * as core from '@actions/core'
import path from 'node:path'
import { UserError } from '../errors.js'
import { commitTime } from '../git/commit-time.js'
import { parseRepository } from '../grammar.js'
import { escapeWorkflowCommands } from '../input-text.js'
import { redact, rememberSecret } from '../redaction.js'
import type { RunRegistries } from '../registry/for-inputs.js'
import { workspacePath } from '../workspace.js'
import { buildxArgs, shownArgs } from './argv.js'
import type { AttestationPlan } from './attestations.js'
import { runWithRetries } from './attempts.js'
import { dockerEnvironment } from '../child-env.js'
import { dockerLogin, engineAvailable, formatDuration, LOGIN_TIMEOUT_MS, runDocker, type DockerCommand, type DockerRun } from './docker.js'
import { explainBuildFailure, failedDockerfileLine } from './hints.js'
import { namesImage, readMetadata } from './metadata.js'
import { planBuild, type BuildSettings } from './plan.js'
import { builtConfigDigest, checkPushed } from './push-check.js'
import { pushFailureMessage, reachedPush, type PushFailure } from './push-failure.js'
import { isRunDockerConfig, storeLoginInFile } from './run-config.js'
import { warnSecretBuildArgs } from './secret-args.js'
import { makePrivateDir, removeDir, writeSecretFiles, type SecretFile } from './secret-files.js'
import { STATE } from './state.js'
import type { ResolvedTags } from './tags.js'

/** The registry login settings, named as in action.yml. */
export interface LoginSettings {
  repository: string
  'registry-username': string
  'registry-password': string
}

/** The deadlines and retries of a build and push, named as in action.yml (ms; 0 for none). */
export interface PushSettings {
  timeout: number
  'push-stall-timeout': number
  'push-retries': number
}

/** What the earlier phases and the runner know, each computed once by the orchestrator. */
export interface BuildFacts {
  /** The resolved agent-server version, e.g. 1.23.0. */
  release: string
  /** The OHE release the target came from, when ohe-release named one. */
  oheRelease?: string
  /** The run's tags, resolved once for the whole run. */
  tags: ResolvedTags
  /** The resolved base reference, e.g. ghcr.io/openhands/agent-server:1.23.0-python. */
  baseReference?: string
  baseDigest?: string
  /** The full commit sha, when the run has one. */
  sha?: string
  /** e.g. https://github.com/acme/sandbox */
  repositoryUrl?: string
  /** Where messages name files from. */
  workspace: string
  /** Where the private temp dir (secret files, metadata) is made. */
  tempDir: string
  /** The caller already ran login(), e.g. beside another network call. */
  loggedIn?: boolean
  /** Load the image into the engine under this local tag and push nothing (the verify phase pushes it later). */
  loadAs?: string
  /** Load it under its own tags with the push's attestations instead, and push nothing (PlanFacts.loadAttested). */
  loadAttested?: boolean
  /**
   * Called once when the build's log says the engine named the loaded image (loadAs, or the first tag with
   * loadAttested): it can be read from then on, while a containerd image store still unpacks it.
   */
  onLoadNamed?: () => void
  /** First back-off before a push retry, doubled per retry. Default 5 s. */
  pushRetryDelayMs?: number
  /** The push's attestations (planAttestations), decided once per run; none: buildx's own default. */
  attestations?: AttestationPlan
  /** The run's registry clients: after a push docker reported as failed, the registry is asked what it holds. */
  registries: RunRegistries
}

const DEFAULT_PUSH_RETRY_DELAY_MS = 5_000

/** The build's side effects, so that tests can run it in-process with fakes. */
export interface BuildIo {
  docker: DockerCommand
  /** The commit's time, for the `created` label; undefined outside a git checkout. */
  commitTime(dir: string): Promise<Date | undefined>
  now(): Date
  /** A Docker engine answers, so the image can be loaded and verified before the push. */
  engineAvailable(): Promise<boolean>
}

export const buildIo: BuildIo = { docker: runDocker, commitTime, now: () => new Date(), engineAvailable }

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
export async function buildAndPush(inputs: BuildSettings & LoginSettings & PushSettings, facts: BuildFacts, io: BuildIo = buildIo): Promise<BuildResult> {
  const { tag, refs } = facts.tags
  const image = refs[0] ?? ''
  core.info(
    escapeWorkflowCommands(refs.length > 0 ? `Tags: ${refs.join(', ')}` : `Tag ${tag} is not used: no repository is set, so the image is built without a name.`)
  )

  rememberInputSecrets(inputs)
  const workDir = await makePrivateDir(facts.tempDir)
  core.saveState(STATE.tempDir, workDir)
  try {
    if (!facts.loggedIn) await login(inputs, io.docker)

    let secretFiles: SecretFile[] = []
    if (inputs.secrets.length > 0) {
      core.info(`Passing ${inputs.secrets.length} build secret(s) as files in a private temp dir: ${inputs.secrets.map(s => s.id).join(', ')}`)
      secretFiles = (await writeSecretFiles(inputs.secrets, workDir)).files
    }

    const plan = planBuild(inputs, {
      release: facts.release,
      oheRelease: facts.oheRelease,
      refs,
      sha: facts.sha,
      created: (await io.commitTime(inputs.context)) ?? io.now(),
      repositoryUrl: facts.repositoryUrl,
      baseReference: facts.baseReference,
      baseDigest: facts.baseDigest,
      secretFiles,
      metadataFile: path.join(workDir, 'metadata.json'),
      ...(facts.loadAs ? { loadAs: facts.loadAs } : {}),
      ...(facts.loadAttested ? { loadAttested: true } : {}),
      ...(facts.attestations ? { attestations: facts.attestations.args } : {})
    })
    const secretArgs = warnSecretBuildArgs(inputs['build-args'])
    const shownFile = workspacePath(inputs.file, facts.workspace)
    const what = image || 'the image'
    const loadedAs = facts.loadAs ?? (facts.loadAttested ? `${image} with its attestations` : undefined)
    const doing = loadedAs
      ? `Building ${what} into the Docker engine as ${loadedAs}, to verify it before any push,`
      : `${inputs.push ? 'Building and pushing' : 'Building (not pushing)'} ${what}`
    core.info(
      escapeWorkflowCommands(
        `${doing} for linux/amd64 from ${shownFile}${inputs.builder ? ` on builder ${inputs.builder}` : ''}; the build log is in the group below.`
      )
    )
    const started = io.now().getTime()
    const args = buildxArgs(plan)
    // BuildKit prints each RUN with its build args expanded: a secret-looking value is masked there too.
    const hide = secretArgs.map(name => inputs['build-args'][name] ?? '').filter(value => value.length >= 4)
    const pushing = plan.push
    const loadName = facts.loadAs ?? (facts.loadAttested ? image : undefined)
    let named = false
    const onLine = (line: string): void => {
      if (named || loadName === undefined || !namesImage(line, loadName)) return
      named = true
      facts.onLoadNamed?.()
    }
    const { run, attempts, failure } = await core.group(`Build ${what}`, () =>
      runWithRetries(io.docker, args, {
        push: pushing,
        retries: inputs['push-retries'],
        retryDelayMs: facts.pushRetryDelayMs ?? DEFAULT_PUSH_RETRY_DELAY_MS,
        timeoutMs: inputs.timeout,
        stallMs: inputs['push-stall-timeout'],
        image: what,
        shown: shownArgs(args),
        redact: text => hide.reduce((out, value) => out.split(value).join('***'), text),
        ...(facts.onLoadNamed ? { onLine } : {})
      })
    )
    const seconds = Math.round((io.now().getTime() - started) / 100) / 10
    if (run.exitCode !== 0) {
      core.info(`The build failed after ${seconds} s.`)
      const line = failedDockerfileLine(run.stderr, path.basename(inputs.file))
      let message = buildFailureMessage(run, failure, attempts, inputs, image)
      // A push docker called failed may still have landed (its read-back failed, or a retry did): the registry says.
      if (pushing && image && (failure !== undefined || run.killed !== undefined || reachedPush(run.stderr))) {
        const check = await checkPushed(image, await builtConfigDigest((await readMetadata(plan.metadataFile)).configDigest, image), facts.registries)
        if (check.found) {
          core.warning(
            redact(
              `docker reported the push as failed (${failure?.line ?? run.killed?.reason ?? 'unknown'}), but registry ${pushRegistryOf(inputs)} has ${image} ` +
                `with this build's content (${check.digest}): it is reported as pushed.`
            )
          )
          return { tags: refs, repository: inputs.repository, tag, image, digest: check.digest, pushed: true, seconds }
        }
        message += `\nNot pushed: ${check.why}.`
      }
      throw new UserError(redact(message), line ? inputs.file : undefined, line)
    }

    const { digest } = await readMetadata(plan.metadataFile)
    const pushed = pushing && digest !== undefined
    if (loadedAs) {
      core.info(`Built and loaded as ${loadedAs} in ${seconds} s.`)
    } else if (pushed) {
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
export async function login(inputs: LoginSettings & Pick<BuildSettings, 'secrets'>, docker: DockerCommand = runDocker): Promise<void> {
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
  const run = await dockerLogin(registry, username, inputs['registry-password'], docker)
  if (run.killed) {
    const daemon = dockerEnvironment().DOCKER_HOST ?? 'unix:///var/run/docker.sock'
    throw new UserError(
      redact(
        `docker login to ${registry} as ${username} did not finish within ${formatDuration(LOGIN_TIMEOUT_MS)} and was stopped: the Docker daemon at ${daemon} or registry ${registry} does not answer. Check that dockerd is running and responsive (docker info), and that ${registry} is reachable.`
      )
    )
  }
  if (run.exitCode !== 0) {
    throw new UserError(redact(`docker login to ${registry} as ${username} failed:\n${explainBuildFailure(run.stderr)}`))
  }
  // A login in the user's own config (no per-run config: an embedding host) is logged out again in the post step;
  // one in this run's config goes with that config.
  if (!ownConfig) core.saveState(STATE.registry, registry)
}

/**
 * The message of a failed build or push: what was stopped and why, or the classified push failure, then docker's lines
 * and hints. `command` names what ran: `docker buildx build`, or `docker push` of a verified image.
 */
export function buildFailureMessage(
  run: DockerRun,
  failure: PushFailure | undefined,
  attempts: number,
  inputs: LoginSettings & PushSettings & Pick<BuildSettings, 'push'>,
  image: string,
  command = 'docker buildx build'
): string {
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
      `${command} (${doing}) was stopped after ${formatDuration(afterMs)}: ${why}; docker and every process it started were killed.` +
      (lastLine !== undefined ? `\nLast output: ${lastLine.trim()}` : '')
    )
  }
  if (failure !== undefined && image) {
    const username = inputs['registry-username']
    const account = username ? `registry-username ${username}` : `the login docker has for ${registry} (docker login or docker/login-action)`
    return `${pushFailureMessage(failure, { image, registry, account }, attempts)}\n${details}`
  }
  // docker push does nothing but push: even an unknown failure is the push of this image to this registry.
  const what = command === 'docker push' && image ? ` of ${image} to registry ${registry}` : ''
  return `${command}${what} failed (exit code ${run.exitCode}):\n${details}`
}

function pushRegistryOf(inputs: Pick<LoginSettings, 'repository'>): string | undefined {
  return inputs.repository ? parseRepository(inputs.repository)?.registry : undefined
}

/** The inputs' secret values, for the one redaction function (readInputs adds them too; a direct caller may not). */
function rememberInputSecrets(inputs: Pick<LoginSettings, 'registry-password'> & Pick<BuildSettings, 'secrets'>): void {
  rememberSecret(inputs['registry-password'])
  for (const secret of inputs.secrets) rememberSecret(secret.value)
}
