import * as core from '@actions/core'
import type { Finding } from '../findings.js'
import { workspacePath } from '../workspace.js'

export function annotate(findings: readonly Finding[], workspace: string): void {
  for (const finding of findings) {
    const properties: core.AnnotationProperties = {
      title: finding.check,
      file: workspacePath(finding.file, workspace),
      startLine: finding.line
    }
    if (finding.severity === 'error') core.error(finding.message, properties)
    else core.warning(finding.message, properties)
  }
}
