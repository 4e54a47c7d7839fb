import * as core from '@actions/core'
import path from 'node:path'
import type { Finding } from '../findings.js'
import { redact } from '../redaction.js'

/** The annotation's `file` must be relative to the workspace for GitHub to place it on the diff. */
export function workspacePath(file: string, workspace: string): string {
  const relative = path.relative(workspace, path.resolve(workspace, file))
  const inside = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)
  return (inside ? relative : file).split(path.sep).join('/')
}

export function annotate(findings: readonly Finding[], workspace: string): void {
  for (const finding of findings) {
    const properties: core.AnnotationProperties = {
      title: finding.check,
      file: workspacePath(finding.file, workspace),
      startLine: finding.line
    }
    const message = redact(finding.message)
    if (finding.severity === 'error') core.error(message, properties)
    else core.warning(message, properties)
  }
}
