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
    if (status === 'D ' || status === ' D' || status === 'DD') continue // a deleted file is not in the context
    paths.push(entry.slice(3))
    if (status.includes('R') || status.includes('C')) i++
  }
  return paths
}

/**
 * Files under `folder` that git shows as changed or untracked, as absolute paths; empty when `folder` is not in a git
 * checkout or git is missing (the check is advice, never a reason to fail).
 */
export async function uncommittedFiles(folder: string): Promise<string[]> {
  const options = { cwd: folder, silent: true, ignoreReturnCode: true }
  try {
    const top = await getExecOutput('git', ['rev-parse', '--show-toplevel'], options)
    if (top.exitCode !== 0) return []
    const status = await getExecOutput('git', ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', '.'], options)
    if (status.exitCode !== 0) return []
    const root = top.stdout.trim()
    return parsePorcelain(status.stdout).map(file => path.join(root, file))
  } catch {
    return []
  }
}
