import * as core from '@actions/core'
import path from 'node:path'
import { removeDir, TEMP_PREFIX } from '../buildx/secret-files.js'
import { describeError } from '../errors.js'
import { removeContainer } from './boot.js'
import { removeLocalImages } from './push.js'
import { VERIFY_STATE } from './state.js'

/** The post step's share: the boot-check container, the local verify tag and the temp dir a cancelled run left. */
export async function cleanupVerify(): Promise<void> {
  try {
    const container = core.getState(VERIFY_STATE.container)
    if (container) await removeContainer(container)
    const image = core.getState(VERIFY_STATE.image)
    if (image && /^ohe-sandbox-verify:[0-9a-f]+$/.test(image)) await removeLocalImages([image])
    const dir = core.getState(VERIFY_STATE.tempDir)
    if (dir && path.isAbsolute(dir) && path.basename(dir).startsWith(TEMP_PREFIX)) await removeDir(dir)
  } catch (thrown) {
    core.warning(`Cleaning up after the verify phase failed: ${describeError(thrown)}`)
  }
}
