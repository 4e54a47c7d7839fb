import type { Finding } from '../findings.js'
import { workspacePath } from './annotations.js'

/** What one run found and did, gathered for the job summary. */
export interface RunReport {
  workspace: string
  release?: string
  baseImage?: string
  checks: Finding[]
  failure?: string
}

const icon = { error: '❌', warning: '⚠️' } as const

/** Markdown for the job summary; findings never carry secret values, so everything here is safe to show. */
export function renderSummary(report: RunReport): string {
  const lines: string[] = ['## OpenHands sandbox image', '']
  if (report.failure) lines.push(`**Failed:** ${escapeCell(report.failure)}`, '')
  if (report.release) lines.push(`- OHE release (agent-server version): \`${report.release}\``)
  if (report.baseImage) lines.push(`- Base image: \`${report.baseImage}\``)
  lines.push('', '### Checks', '')
  if (report.checks.length === 0) {
    lines.push('✅ Base image matches the release and the runtime contract is kept.')
  } else {
    lines.push('| | Check | Where | Finding |', '|---|---|---|---|')
    for (const finding of report.checks) {
      const where = workspacePath(finding.file, report.workspace) + (finding.line ? `:${finding.line}` : '')
      lines.push(`| ${icon[finding.severity]} | ${finding.check} | \`${escapeCell(where)}\` | ${escapeCell(finding.message)} |`)
    }
  }
  return lines.join('\n') + '\n'
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
}
