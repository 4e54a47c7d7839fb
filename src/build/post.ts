import * as core from '@actions/core'
import path from 'node:path'
import { describeError } from '../errors.js'
import { cleanupVerify } from '../verify/post.js'
import { dockerLogout } from './docker.js'
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
 * The post step: log out of the registry the main step logged in to and remove its temp dir (secret files).
 * It runs even after a failed or cancelled main step, and never fails the job: problems are warnings.
 */
export async function cleanup(): Promise<void> {
  // The verify phase's container, local image and temp dir (issue 11), before the logout.
  await cleanupVerify()
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
