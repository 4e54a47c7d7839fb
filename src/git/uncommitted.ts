import { getExecOutput } from '@actions/exec'
import path from 'node:path'

/**
 * Paths from `git status --porcelain=v1 -z` that are modified, added, renamed or untracked (ignored files are not
 * listed without --ignored). Renames and copies carry a second, original path, which is skipped.
 */
export function parsePorcelain(output: string): string[] {
  const entries = output.split('\0')
  const paths: string[] = []
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] ?? ''
    if (entry.length < 4) continue
    const status = entry.slice(0, 2)
    // A rename or copy is followed by its original path, which is not an entry of its own.
    if (status.includes('R') || status.includes('C')) i++
    if (status.includes('D')) continue // deleted in the index or the work tree: not in the context
    paths.push(entry.slice(3))
  }
  return paths
}

/**
 * Files under `folder` (and `alsoFile`, e.g. a Dockerfile kept elsewhere) that git shows as changed or untracked, as
 * absolute paths; empty where there is no git checkout or no git (the check is advice, never a reason to fail).
 */
export async function uncommittedFiles(folder: string, alsoFile?: string): Promise<string[]> {
  const inFolder = await changedUnder(folder, '.')
  const outside = alsoFile !== undefined && path.relative(folder, alsoFile).startsWith('..')
  return outside ? [...inFolder, ...(await changedUnder(path.dirname(alsoFile), path.basename(alsoFile)))] : inFolder
}

async function changedUnder(cwd: string, pathspec: string): Promise<string[]> {
  const options = { cwd, silent: true, ignoreReturnCode: true }
  try {
    const top = await getExecOutput('git', ['rev-parse', '--show-toplevel'], options)
    if (top.exitCode !== 0) return []
    const status = await getExecOutput('git', ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', pathspec], options)
    if (status.exitCode !== 0) return []
    const root = top.stdout.trim()
    return parsePorcelain(status.stdout).map(file => path.join(root, file))
  } catch {
    return []
  }
}
