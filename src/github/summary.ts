import type { AttestationPlan } from '../buildx/attestations.js'
import type { BuildResult } from '../buildx/build.js'
import type { Finding } from '../findings.js'
import { renderContract, type ContractReport } from '../verify/read-back.js'
import type { LayeredBase } from '../image/layered.js'
import type { ScanReport } from '../phases/scan.js'
import { describeRange, type FitRange } from '../release/fit.js'
import { renderSupplyChain } from '../sign/render.js'
import type { SignReport } from '../sign/sign.js'
import { renderVerify } from '../verify/render.js'
import type { VerifyReport } from '../verify/verify.js'
import type { ConfigValuesReport } from '../kots/write.js'
import { workspacePath } from '../workspace.js'

/** What one run found and did, gathered for the job summary. */
export interface RunReport {
  workspace: string
  /** The agent-server version X.Y.Z the image is built on. */
  release?: string
  /** The OHE release it was resolved from; empty when agent-server-version pinned it. */
  oheRelease?: string
  /** The OHE releases that ship the same agent-server version. */
  fits?: FitRange
  baseImage?: string
  /** Undefined until the checks ran. */
  checks?: Finding[]
  layered?: LayeredBase
  scan?: ScanReport
  build?: BuildResult
  /** skip-unchanged kept the image already at the tag. */
  unchanged?: boolean
  contract?: ContractReport
  /** The verify phase (image secret scan, boot check, added size). */
  verify?: VerifyReport
  /** Why verify was on but did not run (no engine): the summary must not let a pushed image look verified. */
  unverified?: string
  /** The attestations of the push. */
  attestations?: AttestationPlan
  /** The cosign signature of the pushed digest, when sign is true. */
  signature?: SignReport
  /** The KOTS ConfigValues file that selects the image in the Admin Console. */
  configValues?: ConfigValuesReport
  failure?: string
}

const icon = { error: '❌', warning: '⚠️' } as const
const MAX_ROWS = 200

/** Markdown for the job summary; findings never carry secret values, so everything here is safe to show. */
export function renderSummary(report: RunReport): string {
  const lines: string[] = ['## OpenHands sandbox image', '']
  const build = report.build
  if (build?.digest && (build.pushed || report.unchanged) && !report.failure) {
    // First, what a platform engineer came for: the two Admin Console fields, ready to copy.
    lines.push(
      'Enter these in the OHE Admin Console (Config → Sandbox Image):',
      '',
      '| Admin Console field | Value |',
      '|---|---|',
      `| Sandbox Image Repository | \`${build.repository}\` |`,
      `| Sandbox Image Tag | \`${build.tag}\` |`,
      ''
    )
    if (report.configValues) lines.push(...renderConfigValues(report.configValues))
  }
  if (report.failure) lines.push(`**Failed:** ${escapeCell(report.failure)}`, '')
  if (build) {
    if (report.unchanged) lines.push(`- Unchanged: \`${build.image}\` (${build.digest ?? ''}) was built from the same base digest and revision, so it was kept`)
    else if (build.pushed) lines.push(`- Pushed: \`${build.image}\` (${build.digest ?? ''}) in ${build.seconds} s`)
    else lines.push(`- Built for linux/amd64 in ${build.seconds} s, not pushed`)
    const extra = build.tags.slice(1)
    if (extra.length > 0) lines.push(`- Also tagged: ${extra.map(ref => `\`${ref}\``).join(', ')}`)
  }
  if (report.oheRelease) lines.push(`- OHE release: \`${report.oheRelease}\`, which ships agent-server \`${report.release ?? ''}\``)
  else if (report.release) lines.push(`- agent-server version: \`${report.release}\` (pinned by agent-server-version)`)
  if (report.fits) lines.push(`- Fits: ${describeRange(report.fits)}`)
  if (report.baseImage) lines.push(`- Base image: \`${report.baseImage}\``)
  if (report.layered && report.layered.chain.length > 0) {
    lines.push(`- Layered on: ${report.layered.chain.map(link => `\`${link.reference}\``).join(' → ')}`)
  }
  lines.push('', '### Checks', '')
  if (report.checks === undefined) {
    lines.push('The checks did not run.')
  } else if (report.checks.length === 0) {
    lines.push('✅ Base image matches the release and the runtime contract is kept.')
  } else {
    lines.push('| | Check | Where | Finding |', '|---|---|---|---|')
    for (const finding of report.checks) {
      const where = workspacePath(finding.file, report.workspace) + (finding.line ? `:${finding.line}` : '')
      lines.push(`| ${icon[finding.severity]} | ${finding.check} | \`${escapeCell(where)}\` | ${escapeCell(finding.message)} |`)
    }
  }
  if (report.verify) lines.push('', ...renderVerify(report.verify))
  else if (report.unverified) lines.push('', '### Verify before push', '', `⚠️ Not verified: ${report.unverified}.`)
  if (report.contract) lines.push('', ...renderContract(report.contract))
  if (report.attestations || report.signature) lines.push('', ...renderSupplyChain(report.attestations, report.signature))
  if (report.scan) lines.push('', ...renderScan(report.scan, report.workspace))
  return lines.join('\n') + '\n'
}

/** The same settings as a file and the one command that applies them (also Use a Custom Sandbox Image and the registry server). */
function renderConfigValues(configValues: ConfigValuesReport): string[] {
  return [
    `Or apply them with the KOTS CLI: the ConfigValues file \`${escapeCell(configValues.file)}\` (output \`config-values\`; option names: ${configValues.from}) ` +
      'also ticks Use a Custom Sandbox Image and sets the Registry Server; the registry username and password stay yours to enter. ' +
      'Beside the downloaded file, an administrator runs:',
    '',
    '```sh',
    configValues.command,
    '```',
    ''
  ]
}

function renderScan(scan: ScanReport, workspace: string): string[] {
  const { result } = scan
  const size = (result.bytesScanned / 1048576).toFixed(1)
  const suppressed =
    (result.suppressed ? `, ${result.suppressed} suppressed` : '') +
    (result.notices?.length ? `, ${result.notices.length} in installed packages (notices, not failing)` : '')
  const lines = ['### Secret scan', '', `${result.filesScanned} file(s), ${size} MB, scanned in ${scan.seconds} s${suppressed}.`, '']
  if (result.findings.length === 0) {
    lines.push('✅ No secrets in the build context.')
    return lines
  }
  lines.push('| | Rule | Where | Value | Fingerprint |', '|---|---|---|---|---|')
  // The runner refuses a step summary over 1 MiB; the annotations and SARIF carry every finding.
  result.findings.slice(0, MAX_ROWS).forEach((secret, index) => {
    const finding = scan.findings[index]
    const where = finding ? workspacePath(finding.file, workspace) : secret.file
    lines.push(
      `| ${icon[finding?.severity ?? 'error']} | ${escapeCell(secret.description)} | \`${escapeCell(where)}:${secret.line}\` | ` +
        `${escapeCell(secret.hint)} | \`${secret.fingerprint}\` |`
    )
  })
  const more = result.findings.length - MAX_ROWS
  if (more > 0) lines.push('', `… and ${more} more finding(s): the sarif input writes them all to a file.`)
  return lines
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
}
