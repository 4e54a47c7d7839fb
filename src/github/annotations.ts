import * as core from '@actions/core'
import type { Finding } from '../findings.js'
import { redact } from '../redaction.js'
import { workspacePath } from '../workspace.js'

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
