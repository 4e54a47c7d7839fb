import { commandDetails, sandboxRows } from './render-sandbox.js'
import { formatCpus, formatMemory } from './quantity.js'
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
    `| Secrets in layers and config | ${secretsResult(secrets)}: ` +
      `${secrets.layersScanned} custom layer(s), ${secrets.filesScanned} text file(s), ${formatSize(secrets.bytesScanned)}` +
      `${secrets.alreadyScanned ? ` (${secrets.alreadyScanned.files} found clean in the build context, only hashed)` : ''} in ${secrets.seconds} s (read from ${secrets.source === 'loopback' ? 'the loopback registry' : 'docker save'}); ${skipped}` +
      `${secrets.suppressed ? `; ${secrets.suppressed} suppressed` : ''}` +
      `${secrets.notices?.length ? `; ${secrets.notices.length} in installed packages (notices, not failing)` : ''} |`
  )
  const memory = peakMemoryText(boot)
  if (!boot.ran) lines.push(`| Boot as OHE starts it | ⏭️ skipped: ${cell(boot.skipped ?? '')} |`)
  else if (boot.ok) lines.push(`| Boot as OHE starts it | ✅ healthy in ${boot.secondsToHealthy ?? '?'} s, sdk_version ${boot.sdkVersion ?? '?'}${memory} |`)
  else lines.push(`| Boot as OHE starts it | ❌ ${boot.failedProbe ?? ''}: ${cell(boot.problem ?? '')}${memory} |`)
  if (boot.ran && boot.specSource) {
    const limits = boot.memoryLimit === undefined || boot.cpus === undefined ? '' : `; limits ${formatMemory(boot.memoryLimit)}, ${formatCpus(boot.cpus)}`
    lines.push(`| Runtime spec | ${cell(boot.specSource)}${limits} |`)
  }
  const sandbox = report.sandboxFiles
  if (sandbox) {
    const workspace = sandbox.workspace
      ? `❌ ${sandbox.workspace.count} file(s) under /workspace, which the sandbox's volume hides`
      : '✅ nothing under /workspace'
    const unwritable = sandbox.unwritable ? `⚠️ ${sandbox.unwritable.count} path(s) the runtime user cannot write` : ''
    const home =
      sandbox.passwd === 'found'
        ? `HOME ${sandbox.home ?? '/'}`
        : sandbox.passwd === 'no-entry'
          ? `⚠️ no passwd entry for uid ${sandbox.uid}, HOME is /`
          : 'HOME not known (/etc/passwd could not be read)'
    lines.push(`| Files the sandbox hides or locks | ${[workspace, unwritable, home].filter(Boolean).join('; ')} |`)
  }
  const compressed = `${formatSize(size.compressed)} compressed${size.compressedSource === 'estimate' ? ' (gzip estimate)' : ''}`
  lines.push(`| Size added over the base | ${size.layers} layer(s), ${compressed}, ${formatSize(size.uncompressed)} uncompressed |`)
  lines.push(
    ...sandboxRows({
      ...(report.helpers ? { helpers: report.helpers } : {}),
      ...(report.commands ? { commands: report.commands } : {}),
      ...(boot.secondsToHealthy === undefined ? {} : { secondsToHealthy: boot.secondsToHealthy }),
      ...(report.readySeconds === undefined ? {} : { readySeconds: report.readySeconds }),
      ...(report.maxReadySeconds === undefined ? {} : { maxReadySeconds: report.maxReadySeconds })
    })
  )
  lines.push(...commandDetails(report.commands))
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

/** Never "none" for an image that was not read in full. */
function secretsResult(secrets: VerifyReport['secrets']): string {
  const found = secrets.findings.length
  if (secrets.incomplete) return found === 0 ? '❌ not fully read' : `❌ ${found} finding(s), not fully read`
  return found === 0 ? '✅ none' : `❌ ${found} finding(s)`
}

/** `; peak memory 38.8Mi of 2Gi`, or nothing when it was not measured. */
function peakMemoryText(boot: VerifyReport['boot']): string {
  if (boot.peakMemory === undefined || boot.memoryLimit === undefined) return ''
  const how = boot.peakMemorySource === 'docker stats' ? 'memory at the end' : 'peak memory'
  return `; ${how} ${formatMemory(boot.peakMemory)} of ${formatMemory(boot.memoryLimit)}`
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
}
