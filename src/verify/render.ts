import { formatSize } from './size.js'
import type { VerifyReport } from './verify.js'

const MAX_ROWS = 100
/** Installed-package notices listed by name; the rest are counted. */
const MAX_NOTICES = 5

/** The summary (and PR comment) section of the verify phase: markdown lines. Holds only redacted hints. */
export function renderVerify(report: VerifyReport): string[] {
  const lines = ['### Image verification (before the push)', '']
  const { secrets, boot, size } = report
  const ok = report.problems.length === 0
  lines.push(ok ? `✅ Verified in ${report.seconds} s.` : `❌ ${cell(report.problems.join('; '))}; nothing was pushed.`, '')
  lines.push('| Part | Result |', '|---|---|')
  const skipped = `${secrets.baseLayersSkipped} base layer(s) skipped${secrets.baseUnknown ? ` (${cell(secrets.baseUnknown)})` : ''}`
  lines.push(
    `| Secrets in layers and config | ${secrets.findings.length === 0 ? '✅ none' : `❌ ${secrets.findings.length} finding(s)`}: ` +
      `${secrets.layersScanned} custom layer(s), ${secrets.filesScanned} text file(s), ${formatSize(secrets.bytesScanned)} in ${secrets.seconds} s (read from ${secrets.source === 'loopback' ? 'the loopback registry' : 'docker save'}); ${skipped}` +
      `${secrets.suppressed ? `; ${secrets.suppressed} suppressed` : ''}` +
      `${secrets.notices?.length ? `; ${secrets.notices.length} in installed packages (notices, not failing)` : ''} |`
  )
  if (!boot.ran) lines.push(`| Boot as OHE starts it | ⏭️ skipped: ${cell(boot.skipped ?? '')} |`)
  else if (boot.ok) lines.push(`| Boot as OHE starts it | ✅ healthy in ${boot.secondsToHealthy ?? '?'} s, sdk_version ${boot.sdkVersion ?? '?'} |`)
  else lines.push(`| Boot as OHE starts it | ❌ ${boot.failedProbe ?? ''}: ${cell(boot.problem ?? '')} |`)
  const compressed = `${formatSize(size.compressed)} compressed${size.compressedSource === 'estimate' ? ' (gzip estimate)' : ''}`
  lines.push(`| Size added over the base | ${size.layers} layer(s), ${compressed}, ${formatSize(size.uncompressed)} uncompressed |`)
  if (secrets.findings.length > 0) {
    lines.push('', '| Rule | Where | Layer | Made by | Value | Fingerprint |', '|---|---|---|---|---|---|')
    for (const finding of secrets.findings.slice(0, MAX_ROWS)) {
      const deleted = finding.deletedBy ? ` (deleted in layer ${finding.deletedBy.layer}, still shipped)` : ''
      lines.push(
        `| ${cell(finding.description)} | \`${cell(finding.where)}\`${deleted} | ${finding.layer ?? ''} | \`${cell(finding.instruction)}\` | ` +
          `${cell(finding.hint)} | \`${finding.fingerprint}\` |`
      )
    }
    if (secrets.findings.length > MAX_ROWS) lines.push('', `… and ${secrets.findings.length - MAX_ROWS} more (see the annotations).`)
  }
  const notices = secrets.notices ?? []
  if (notices.length > 0) {
    lines.push(
      '',
      `ℹ️ ${notices.length} token-shaped string(s) in installed third-party packages, public already and not failing (scan-installed-packages: notice):`,
      ''
    )
    for (const notice of notices.slice(0, MAX_NOTICES)) {
      lines.push(
        `- ${cell(notice.description)} ${cell(notice.hint)} in \`${cell(notice.where)}\`, package \`${cell(notice.package ?? 'unknown')}\`, layer ${notice.layer ?? '?'}`
      )
    }
    if (notices.length > MAX_NOTICES) lines.push(`- … and ${notices.length - MAX_NOTICES} more (see the log).`)
  }
  if (boot.ran && !boot.ok && boot.logTail && boot.logTail.length > 0) {
    lines.push(
      '',
      '<details><summary>Container log (last lines, redacted)</summary>',
      '',
      '```',
      ...boot.logTail.map(line => line.replace(/```/g, '`​``')),
      '```',
      '</details>'
    )
  }
  return lines
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
}
