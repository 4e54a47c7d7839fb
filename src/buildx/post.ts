import * as core from '@actions/core'
import path from 'node:path'
import { describeError } from '../errors.js'
import { isLeftoverGroup, parseProcessGroups } from './children.js'
import { dockerLogout, killGroup } from './docker.js'
import { removeRunDockerConfig } from './run-config.js'
import { explainBuildFailure } from './hints.js'
import { removeDir, TEMP_PREFIX } from './secret-files.js'
import { STATE } from './state.js'

/**
 * action.yml runs dist/index.js twice (`main:` and `post:`); the main step calls markMainStep() first, so the
 * second run knows it is the post step.
 */
export function markMainStep(): void {
  core.saveState(STATE.isPost, 'true')
}

export function isPostStep(): boolean {
  return core.getState(STATE.isPost) === 'true'
}

/**
 * The post step: end any docker command the main step left running (a cancelled step), log out of the registry the
 * main step logged in to when that login went to a config not of its own, and remove its temp dirs (secret files,
 * the per-run docker config). It runs even after a failed or cancelled main step, and never fails the job: problems
 * are warnings.
 */
export async function cleanup(): Promise<void> {
  await endLeftoverProcesses(parseProcessGroups(core.getState(STATE.processGroups)))

  const runConfig = core.getState(STATE.dockerConfig)
  if (runConfig) {
    try {
      await removeRunDockerConfig(runConfig)
    } catch (thrown) {
      core.warning(`Could not remove this run's docker config ${runConfig}: ${describeError(thrown)}`)
    }
  }

  const registry = core.getState(STATE.registry)
  if (registry) {
    try {
      const run = await dockerLogout(registry)
      if (run.exitCode !== 0) core.warning(`docker logout ${registry} failed: ${explainBuildFailure(run.stderr)}`)
    } catch (thrown) {
      core.warning(`docker logout ${registry} failed: ${describeError(thrown)}`)
    }
  }

  const dir = core.getState(STATE.tempDir)
  // Only a dir this action made: the state is ours, but a wrong value must never make the post step rm -rf it.
  if (dir && path.isAbsolute(dir) && path.basename(dir).startsWith(TEMP_PREFIX)) {
    try {
      await removeDir(dir)
    } catch (thrown) {
      core.warning(`Could not remove the temp dir ${dir}: ${describeError(thrown)}`)
    }
  }
}

/** SIGTERM to each leftover group, SIGKILL to those still there after `graceMs`; says what it ended. */
export async function endLeftoverProcesses(groups: number[], graceMs = 3000): Promise<number[]> {
  const leftover = groups.filter(pgid => isLeftoverGroup(pgid))
  if (leftover.length === 0) return []
  core.warning(`Ending ${leftover.length} docker process group(s) the main step left running (it was cancelled or timed out): ${leftover.join(', ')}`)
  for (const pgid of leftover) killGroup(pgid, 'SIGTERM')
  const until = Date.now() + graceMs
  while (Date.now() < until && leftover.some(pgid => isLeftoverGroup(pgid))) await new Promise(resolve => setTimeout(resolve, 100))
  for (const pgid of leftover) if (isLeftoverGroup(pgid)) killGroup(pgid, 'SIGKILL')
  return leftover
}
