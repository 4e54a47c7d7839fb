import { getExecOutput } from '@actions/exec'

/**
 * When the checked-out commit was made, or undefined outside a git checkout. Used as the image's `created` label:
 * a rebuild of the same commit on the same base then yields the same image and digest, which BuildKit's cache and
 * the registry recognise instead of storing and pushing a new config every run.
 */
export async function commitTime(folder: string): Promise<Date | undefined> {
  try {
    const log = await getExecOutput('git', ['log', '-1', '--format=%cI'], { cwd: folder, silent: true, ignoreReturnCode: true })
    const time = new Date(log.stdout.trim())
    return log.exitCode === 0 && !Number.isNaN(time.getTime()) ? time : undefined
  } catch {
    return undefined
  }
}
