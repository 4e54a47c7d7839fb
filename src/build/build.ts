import * as core from '@actions/core'
import path from 'node:path'
import { parseRepository } from '../grammar.js'
import { UserError } from '../errors.js'
import { commitTime } from '../git/commit-time.js'
import { workspacePath } from '../workspace.js'
import { warnSecretBuildArgs } from './secret-args.js'
import { buildxArgs, shownArgs } from './argv.js'
import { dockerLogin, engineAvailable, runDocker, type DockerCommand } from './docker.js'
import { explainBuildFailure, failedDockerfileLine } from './hints.js'
import { readMetadata } from './metadata.js'
import { planBuild, type BuildSettings } from './plan.js'
import { makePrivateDir, removeDir, writeSecretFiles, type SecretFile } from './secret-files.js'
import { STATE } from './state.js'
import type { ResolvedTags } from './tags.js'

/** The registry login settings, named as in action.yml. */
export interface LoginSettings {
  repository: string
  'registry-username': string
  'registry-password': string
}

/** What the earlier phases and the runner know, each computed once by the orchestrator. */
export interface BuildFacts {
  /** The resolved agent-server version, e.g. 1.23.0. */
  release: string
  /** The run's tags, resolved once for the whole run. */
  tags: ResolvedTags
  /** The OHE release it was resolved from; empty when agent-server-version pinned it. */
  oheRelease?: string
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
}

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
export async function buildAndPush(inputs: BuildSettings & LoginSettings, facts: BuildFacts, io: BuildIo = buildIo): Promise<BuildResult> {
  const { tag, refs } = facts.tags
  const image = refs[0] ?? ''
  core.info(refs.length > 0 ? `Tags: ${refs.join(', ')}` : `Tag ${tag} is not used: no repository is set, so the image is built without a name.`)

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
      ...(facts.loadAs ? { loadAs: facts.loadAs } : {})
    })
    const secretArgs = warnSecretBuildArgs(inputs['build-args'])
    const shownFile = workspacePath(inputs.file, facts.workspace)
    const what = image || 'the image'
    core.info(
      `${facts.loadAs ? `Building ${what} into the Docker engine as ${facts.loadAs}, to verify it before any push,` : inputs.push ? 'Building and pushing' : 'Building (not pushing)'} ${facts.loadAs ? '' : `${what} `}for linux/amd64 from ${shownFile}` +
        `${inputs.builder ? ` on builder ${inputs.builder}` : ''}; the build log is in the group below.`
    )
    const started = io.now().getTime()
    const args = buildxArgs(plan)
    // BuildKit prints each RUN with its build args expanded: a secret-looking value is masked there too.
    const hide = secretArgs.map(name => inputs['build-args'][name] ?? '').filter(value => value.length >= 4)
    const run = await core.group(`Build ${what}`, () =>
      io.docker(args, { shown: shownArgs(args), redact: line => hide.reduce((text, value) => text.split(value).join('***'), line) })
    )
    const seconds = Math.round((io.now().getTime() - started) / 100) / 10
    if (run.exitCode !== 0) {
      core.info(`The build failed after ${seconds} s.`)
      const line = failedDockerfileLine(run.stderr, path.basename(inputs.file))
      const message = `docker buildx build failed (exit code ${run.exitCode}):\n${explainBuildFailure(run.stderr)}`
      throw new UserError(redact(message, inputs), line ? inputs.file : undefined, line)
    }

    const { digest } = await readMetadata(plan.metadataFile)
    if (facts.loadAs) {
      core.info(`Built in ${seconds} s and loaded as ${facts.loadAs}; nothing is pushed before it is verified.`)
      return { tags: refs, repository: inputs.repository, tag, image, pushed: false, seconds }
    }
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
export async function login(inputs: LoginSettings & Pick<BuildSettings, 'secrets'>, docker: DockerCommand = runDocker): Promise<void> {
  const username = inputs['registry-username']
  if (!username) return
  const registry = inputs.repository ? parseRepository(inputs.repository)?.registry : undefined
  if (registry === undefined) {
    core.warning('registry-username is set but repository is not: not logging in, as the registry to log in to is unknown.')
    return
  }
  core.info(`Logging in to ${registry} as ${username}`)
  const run = await dockerLogin(registry, username, inputs['registry-password'], docker)
  if (run.exitCode !== 0) {
    throw new UserError(redact(`docker login to ${registry} as ${username} failed:\n${explainBuildFailure(run.stderr)}`, inputs))
  }
  // Only a registry this step logged in to is logged out again: one from docker/login-action stays for later steps.
  core.saveState(STATE.registry, registry)
}

/**
 * The runner masks secrets in the log, but an error message also reaches the job summary, which it does not mask:
 * a RUN that printed a secret before failing must not put it there.
 */
function redact(text: string, inputs: Pick<LoginSettings, 'registry-password'> & Pick<BuildSettings, 'secrets'>): string {
  const whole = [inputs['registry-password'], ...inputs.secrets.map(secret => secret.value)]
  // A multi-line value (a key file) is printed line by line; its short lines (`}`) would only blot the message.
  const lines = whole.flatMap(value => (value.includes('\n') ? value.split(/\r?\n/).map(line => line.trim()) : []))
  const values = [...whole, ...lines.filter(line => line.length >= 8)]
    .filter(value => value.trim().length > 0)
    .sort((a, b) => b.length - a.length)
  return values.reduce((result, value) => result.split(value).join('***'), text)
}
