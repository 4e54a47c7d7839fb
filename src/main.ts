import * as core from '@actions/core'
import os from 'node:os'
import { childEnv, GHA_CACHE_NAMES, setDockerEnvironment, usesGhaCache } from './docker/child-env.js'
import { trackChildrenForPostStep } from './build/children.js'
import { STATE } from './build/state.js'
import { createRunDockerConfig, removeRunDockerConfig, userDockerConfigDir } from './build/run-config.js'
import { tagRequest } from './build/plan.js'
import { resolveTags } from './build/tags.js'
import { describeError, UserError } from './errors.js'
import { annotate, workspacePath } from './github/annotations.js'
import { commentMarker, pullRequestOfRun, upsertPullRequestComment } from './github/comment.js'
import { renderSummary, type RunReport } from './github/summary.js'
import { readInputs, workspaceDir, type Inputs } from './inputs.js'
import { runChecks } from './phases/check.js'
import { publish } from './phases/publish.js'
import { resolveRelease } from './phases/release.js'
import { runScan } from './phases/scan.js'
import { redact } from './redaction.js'
import { PHASE_READ_BUDGET_MS, withReadBudget } from './registry/budget.js'
import { ACTION_VERSION } from './version.js'

/** The main step: check, scan, build and push. Every failure ends here as one readable error, never a stack. */
export async function run(): Promise<void> {
  const workspace = workspaceDir()
  const report: RunReport = { workspace }
  let readOnce: Inputs | undefined
  const userDockerConfig = process.env.DOCKER_CONFIG
  let runDockerConfig: string | undefined
  try {
    const inputs = readInputs(undefined, workspace)
    readOnce = inputs
    runDockerConfig = await useRunDockerConfig(inputs)
    const { version: release } = await withReadBudget('the release lookup', PHASE_READ_BUDGET_MS, () => resolveRelease(inputs))
    report.release = release
    core.setOutput('ohe-release', release)
    // Tags are validated now, so a bad one fails before minutes of checks, scan and build.
    if (inputs.build) resolveTags(tagRequest(inputs, release, process.env.GITHUB_SHA))

    core.info(`Checking the Dockerfile against OHE release ${release}`)
    const checks = await core.group('Check the Dockerfile', () => withReadBudget('the checks', PHASE_READ_BUDGET_MS, () => runChecks(inputs, release, workspace)))
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
    if (inputs.scan) {
      core.info('Scanning the build context for secrets')
      const scan = await core.group('Scan the build context for secrets', () => runScan(inputs, ACTION_VERSION, workspace))
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

    if (!inputs.build) {
      core.info('build is false: checks done, nothing built.')
      return
    }
    const published = await publish(inputs, {
      release,
      baseReference: base?.reference,
      agentServerReference: agentServer,
      fromLine: base?.line,
      buildArgs: checks.releaseBuildArgs
    })
    const build = published.build
    report.build = build
    report.unchanged = published.unchanged
    report.contract = published.contract
    // Set only for an image that really is in the registry: pushed now, or kept unchanged.
    if (build.digest && (build.pushed || published.unchanged)) {
      core.setOutput('repository', build.repository)
      core.setOutput('tag', build.tag)
      core.setOutput('image', build.image)
      core.setOutput('digest', build.digest)
    }
    if (published.contract) {
      annotate(published.contract.findings, workspace)
      const broken = published.contract.findings.filter(finding => finding.severity === 'error').length
      if (broken > 0) {
        throw new UserError(`${build.image} was pushed but breaks the agent-server contract (${broken} error(s), see the annotations): do not use it in OHE.`)
      }
    }
  } catch (thrown) {
    fail(thrown, workspace, report)
  } finally {
    await finish(report, readOnce)
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
async function useRunDockerConfig(inputs: Inputs): Promise<string> {
  const dir = await createRunDockerConfig(userDockerConfigDir(process.env, os.homedir()), process.env.RUNNER_TEMP || os.tmpdir())
  core.saveState(STATE.dockerConfig, dir)
  process.env.DOCKER_CONFIG = dir
  const gha = usesGhaCache([...inputs['cache-from'], ...inputs['cache-to']]) ? GHA_CACHE_NAMES : []
  setDockerEnvironment(childEnv(process.env, [...inputs['docker-env'], ...gha]))
  trackChildrenForPostStep(true)
  return dir
}

/** Runs after success and failure alike; a problem here must not hide the run's own result. */
async function finish(report: RunReport, inputs: Inputs | undefined): Promise<void> {
  try {
    core.setOutput('pushed', String(report.build?.pushed ?? false))
  } catch (thrown) {
    fail(thrown, report.workspace, report)
  }
  await writeSummary(report)
  const pullRequest = inputs && (await pullRequestOfRun().catch(() => undefined))
  if (inputs && pullRequest) {
    const marker = commentMarker(workspacePath(inputs.file, report.workspace))
    await upsertPullRequestComment(inputs['github-token'], pullRequest, marker, redact(renderSummary(report)))
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

async function writeSummary(report: RunReport): Promise<void> {
  // Outside a runner (npm start, tests without GITHUB_STEP_SUMMARY) there is no summary file to write.
  if (!process.env.GITHUB_STEP_SUMMARY) return
  try {
    await core.summary.addRaw(redact(renderSummary(report))).write()
  } catch (thrown) {
    core.warning(`Could not write the job summary: ${describeError(thrown)}`)
  }
}
