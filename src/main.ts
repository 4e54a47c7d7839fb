import * as core from '@actions/core'
import os from 'node:os'
import { buildIo, type BuildIo } from './buildx/build.js'
import { childEnv, GHA_CACHE_NAMES, setDockerEnvironment, usesGhaCache } from './child-env.js'
import { trackChildrenForPostStep } from './buildx/children.js'
import { createRunDockerConfig, removeRunDockerConfig, userDockerConfigDir } from './buildx/run-config.js'
import { STATE } from './buildx/state.js'
import { resolveTags } from './buildx/tags.js'
import { describeError, UserError } from './errors.js'
import { annotate } from './github/annotations.js'
import { commentMarker, pullRequestOfRun, upsertPullRequestComment, type PullRequestTarget } from './github/comment.js'
import { renderSummary, type RunReport } from './github/summary.js'
import { actionInputs, type InputSource } from './inputs.js'
import { registryImageReader, runChecks } from './phases/check.js'
import { publish } from './phases/publish.js'
import { resolveRelease } from './phases/release.js'
import { runScan, scanTheContext } from './phases/scan.js'
import { writeConfigValues } from './kots/write.js'
import { redact } from './redaction.js'
import { PHASE_READ_BUDGET_MS, withReadBudget } from './registry/budget.js'
import { runRegistries } from './registry/for-inputs.js'
import { readRunPlan, type RunPlan } from './run-plan.js'
import { readRunnerFacts, type RunnerFacts } from './runner.js'
import { cosignPassThrough, signMode, type SignMode } from './sign/cosign.js'
import { checkCosign, signImage, unsignedReport, type CosignCommand } from './sign/sign.js'
import { ACTION_VERSION } from './version.js'
import { workspacePath } from './workspace.js'

/** Where a run reads its inputs and environment, and its side effects: the real ones in the action, fakes in tests. */
export interface RunIo {
  input: InputSource
  env: NodeJS.ProcessEnv
  cwd: string
  build: BuildIo
  pullRequest(): Promise<PullRequestTarget | undefined>
  comment(token: string, apiUrl: string, target: PullRequestTarget, marker: string, markdown: string): Promise<void>
  /** Runs cosign (sign: true); the runner's cosign when not given. */
  cosign?: CosignCommand
}

export const actionIo: RunIo = {
  input: actionInputs,
  env: process.env,
  cwd: process.cwd(),
  build: buildIo,
  pullRequest: pullRequestOfRun,
  comment: upsertPullRequestComment
}

/** The main step: check, scan, build and push. Every failure ends here as one readable error, never a stack. */
export async function run(io: RunIo = actionIo): Promise<void> {
  // The only reads of the environment and the inputs: everything below gets its part of the plan.
  const runner = readRunnerFacts(io.env, io.cwd)
  const workspace = runner.workspace
  const report: RunReport = { workspace }
  let readOnce: RunPlan | undefined
  const userDockerConfig = process.env.DOCKER_CONFIG
  let runDockerConfig: string | undefined
  try {
    const plan = readRunPlan(io.input, runner)
    readOnce = plan
    // The run's registry clients, made once like the plan: every registry read below goes through them.
    const registries = runRegistries(plan)
    // The context scan reads files while the release lookup and the checks read registries; it is reported after them.
    const scanning = plan.scan ? scanTheContext(plan) : undefined
    scanning?.catch(() => undefined)
    runDockerConfig = await useRunDockerConfig(plan, io.env)
    // Signing is settled before minutes of build: no way to sign, or no cosign, fails now.
    const signing = await prepareSigning(plan, runner, io)
    const resolved = await withReadBudget('the release lookup', PHASE_READ_BUDGET_MS, () =>
      resolveRelease(plan, { apiUrl: runner.apiUrl, shownMap: plan['release-map'] && workspacePath(plan['release-map'], workspace) })
    )
    const release = resolved.version
    report.release = release
    report.oheRelease = resolved.oheRelease
    report.fits = resolved.fits
    core.setOutput('ohe-release', resolved.oheRelease)
    core.setOutput('agent-server-version', release)
    // Every tag of the run, resolved once and now, so a bad one fails before minutes of checks, scan and build.
    const tags = plan.build
      ? resolveTags({ repository: plan.repository, tag: plan.tag, 'extra-tags': plan['extra-tags'], release, sha: runner.sha })
      : undefined

    core.info(`Checking the Dockerfile against agent-server ${release}${resolved.oheRelease ? ` (OHE release ${resolved.oheRelease})` : ''}`)
    const checks = await core.group('Check the Dockerfile', () =>
      withReadBudget('the checks', PHASE_READ_BUDGET_MS, () => runChecks(plan, release, workspace, registryImageReader(registries)))
    )
    report.checks = checks.findings
    report.layered = checks.layered
    const base = checks.dockerfile.base
    // A layered image's base is the custom image it is built FROM; the agent-server under it is what OHE runs.
    const agentServer = checks.layered ? checks.layered.agentServer : base?.reference
    if (agentServer) {
      report.baseImage = agentServer
      core.setOutput('base-image', agentServer)
    }
    annotate(checks.findings, workspace)

    // The scan runs even after a failed check, so one run reports every problem; nothing is built after either.
    if (scanning) {
      core.info('Scanning the build context for secrets')
      const scan = await core.group('Scan the build context for secrets', () => runScan(plan, ACTION_VERSION, workspace, scanning))
      report.scan = scan
      core.setOutput('findings', String(scan.result.findings.length))
      annotate(scan.findings, workspace)
    } else {
      core.info('scan is false: the build context was not scanned for secrets.')
    }

    const failedChecks = checks.findings.filter(finding => finding.severity === 'error').length
    const secrets = report.scan?.findings.filter(finding => finding.severity === 'error').length ?? 0
    if (failedChecks + secrets > 0) {
      const problems = [failedChecks && `${failedChecks} Dockerfile check(s) failed`, secrets && `${secrets} secret(s) found in the build context`]
      throw new UserError(`${problems.filter(Boolean).join(' and ')} (see the annotations); nothing was built or pushed.`)
    }

    if (!tags) {
      core.info('build is false: checks done, nothing built.')
      return
    }
    const published = await publish(
      plan,
      {
        release,
        oheRelease: resolved.oheRelease,
        tags,
        sha: runner.sha,
        repositoryUrl: runner.repositoryUrl,
        ...(runner.runUrl ? { runUrl: runner.runUrl } : {}),
        workspace,
        tempDir: runner.tempDir,
        baseReference: base?.reference,
        agentServerReference: agentServer,
        fromLine: base?.line,
        buildArgs: checks.releaseBuildArgs,
        runtime: resolved.runtime,
        ...(report.scan?.result.clean ? { scannedClean: report.scan.result.clean } : {}),
        registries,
        // The verify phase's report reaches the summary and the annotations also when it fails.
        onVerify: verify => {
          report.verify = verify
          annotate(verify.findings, workspace)
          if (verify.readySeconds !== undefined) core.setOutput('ready-seconds', String(verify.readySeconds))
        }
      },
      io.build
    )
    const build = published.build
    report.build = build
    report.unchanged = published.unchanged
    report.contract = published.contract
    if (published.unverified) report.unverified = published.unverified
    // Set only for an image that really is in the registry: pushed now, or kept unchanged.
    if (build.digest && (build.pushed || published.unchanged)) {
      core.setOutput('repository', build.repository)
      core.setOutput('tag', build.tag)
      core.setOutput('image', build.image)
      core.setOutput('digest', build.digest)
    }
    if (published.attestations) report.attestations = published.attestations
    if (build.digest && (build.pushed || published.unchanged)) core.setOutput('image-ref', `${build.repository}@${build.digest}`)
    if (published.contract) {
      annotate(published.contract.findings, workspace)
      const broken = published.contract.findings.filter(finding => finding.severity === 'error').length
      if (broken > 0) {
        throw new UserError(`${build.image} was pushed but breaks the agent-server contract (${broken} error(s), see the annotations): do not use it in OHE.`)
      }
    }
    // The file that deploys the image, only for one that is in the registry and keeps the contract.
    if (build.digest && (build.pushed || published.unchanged)) {
      const configValues = await writeConfigValues(plan, resolved.adminConsole, { repository: build.repository, tag: build.tag }, runner.tempDir)
      report.configValues = configValues
      core.setOutput('config-values', configValues.file)
      core.info(`KOTS ConfigValues for the Admin Console: ${configValues.file} (option names: ${configValues.from})`)
    }
    // Only an image that keeps the contract is vouched for; one kept unchanged was signed when it was pushed.
    if (signing && build.pushed && build.digest) {
      const imageRef = `${build.repository}@${build.digest}`
      report.signature = unsignedReport(plan, signing.mode, imageRef, runner)
      report.signature = await signImage(plan, signing.mode, imageRef, runner, signing.env, io.cosign)
    } else if (signing && published.unchanged) {
      core.info(`skip-unchanged kept ${build.image}: it is not signed again.`)
    }
  } catch (thrown) {
    fail(thrown, workspace, report)
  } finally {
    await finish(report, runner, readOnce, io)
    // The per-run docker config served this step only; the post step removes it too if this step never got here.
    if (runDockerConfig) {
      if (userDockerConfig === undefined) delete process.env.DOCKER_CONFIG
      else process.env.DOCKER_CONFIG = userDockerConfig
      setDockerEnvironment(undefined)
      await removeRunDockerConfig(runDockerConfig).catch(() => undefined)
    }
  }
}

/**
 * Docker for this run: a DOCKER_CONFIG of its own that inherits the user's (so the action's login never replaces
 * theirs), a minimal environment for every docker process, and their process groups saved for the post step.
 */
async function useRunDockerConfig(plan: RunPlan, env: NodeJS.ProcessEnv): Promise<string> {
  const dir = await createRunDockerConfig(userDockerConfigDir(env, os.homedir()), plan.runner.tempDir)
  core.saveState(STATE.dockerConfig, dir)
  // Docker children and the action's own registry reads (docker's credentials) both find it here.
  process.env.DOCKER_CONFIG = dir
  const gha = usesGhaCache([...plan['cache-from'], ...plan['cache-to']]) ? GHA_CACHE_NAMES : []
  setDockerEnvironment(childEnv({ ...env, DOCKER_CONFIG: dir }, [...plan['docker-env'], ...gha]))
  trackChildrenForPostStep(true)
  return dir
}

/** The signing mode and cosign's environment when the run signs; checks that cosign is there. */
async function prepareSigning(plan: RunPlan, runner: RunnerFacts, io: RunIo): Promise<{ mode: SignMode; env: Record<string, string> } | undefined> {
  if (!plan.sign) return undefined
  if (!plan.build || !plan.push) {
    core.info(`sign is true, but ${plan.build ? 'push' : 'build'} is false: nothing is pushed, so nothing is signed.`)
    return undefined
  }
  const mode = signMode(plan, runner)
  await checkCosign(io.cosign)
  return { mode, env: childEnv(io.env, cosignPassThrough(io.env)) }
}

/** Runs after success and failure alike; a problem here must not hide the run's own result. */
async function finish(report: RunReport, runner: RunnerFacts, plan: RunPlan | undefined, io: RunIo): Promise<void> {
  try {
    core.setOutput('pushed', String(report.build?.pushed ?? false))
  } catch (thrown) {
    fail(thrown, report.workspace, report)
  }
  if (runner.summaryFile) await writeSummary(report)
  const pullRequest = plan && (await io.pullRequest().catch(() => undefined))
  if (plan && pullRequest) {
    const marker = commentMarker(workspacePath(plan.file, report.workspace))
    await io.comment(plan['github-token'], plan.runner.apiUrl, pullRequest, marker, redact(renderSummary(report)))
  }
}

function fail(thrown: unknown, workspace: string, report: RunReport): void {
  const message = redact(describeError(thrown))
  report.failure = message
  if (thrown instanceof UserError && thrown.file) {
    core.error(message, { file: workspacePath(thrown.file, workspace), startLine: thrown.line })
  } else {
    core.error(message)
  }
  if (thrown instanceof Error && !(thrown instanceof UserError) && thrown.stack) core.debug(thrown.stack)
  process.exitCode = 1
}

/** Only on a runner: off one (npm start) there is no summary file to write. */
async function writeSummary(report: RunReport): Promise<void> {
  try {
    await core.summary.addRaw(redact(renderSummary(report))).write()
  } catch (thrown) {
    core.warning(`Could not write the job summary: ${describeError(thrown)}`)
  }
}
