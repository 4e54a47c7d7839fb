import path from 'node:path'
import type { Finding } from '../findings.js'
import { uncommittedFiles } from '../git/uncommitted.js'
import { workspacePath } from '../workspace.js'
import { DockerIgnore } from '../secrets/dockerignore.js'
import { readDockerignore } from '../secrets/scan.js'

/** Annotations past this many add noise, not information; one more warning counts the rest. */
const MAX_ANNOTATED = 10

/**
 * A warning on each uncommitted file that docker would send: .dockerignore'd files never reach the image, and the
 * Dockerfile always counts. The user's guide says to keep uncommitted changes out of sandbox images.
 */
export async function uncommittedFindings(context: string, dockerfile: string, workspace: string): Promise<Finding[]> {
  const changed = await uncommittedFiles(context, dockerfile)
  if (changed.length === 0) return []
  const dockerignore = DockerIgnore.parse(await readDockerignore(dockerfile, context))
  const files = changed.filter(file => file === dockerfile || !dockerignore.ignores(path.relative(context, file).split(path.sep).join('/')))
  const findings: Finding[] = files.slice(0, MAX_ANNOTATED).map(file => ({
    check: 'uncommitted-changes',
    severity: 'warning',
    message: `${workspacePath(file, workspace)} is not committed, so the image would hold unreviewed source. Commit it, or exclude it in .dockerignore.`,
    file,
    line: 1
  }))
  const more = files.length - MAX_ANNOTATED
  if (more > 0) {
    findings.push({
      check: 'uncommitted-changes',
      severity: 'warning',
      message: `${more} more uncommitted file(s) in the build context: run git status in ${path.relative(workspace, context) || '.'} to see them all.`,
      file: dockerfile,
      line: 1
    })
  }
  return findings
}
