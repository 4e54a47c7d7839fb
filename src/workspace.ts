import path from 'node:path'

/** The annotation's `file` must be relative to the workspace for GitHub to place it on the diff. */
export function workspacePath(file: string, workspace: string): string {
  const relative = path.relative(workspace, path.resolve(workspace, file))
  const inside = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)
  return (inside ? relative : file).split(path.sep).join('/')
}
