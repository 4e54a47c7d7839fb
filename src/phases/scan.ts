import * as core from '@actions/core'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Finding } from '../findings.js'
import { workspacePath } from '../workspace.js'
import type { Inputs } from '../inputs.js'
import { toSarif } from '../secrets/sarif.js'
import { scanContext, type ScanResult, type SecretFinding } from '../secrets/scan.js'

export interface ScanReport {
  result: ScanResult
  seconds: number
  /** The findings as annotations: errors, or warnings with fail-on-findings: false. */
  findings: Finding[]
}

/** The settings the scan reads. */
export type ScanSettings = Pick<
  Inputs,
  'context' | 'file' | 'scan-ignore-file' | 'scan-exclude' | 'sarif' | 'fail-on-findings' | 'scan-installed-packages' | 'build' | 'verify'
>

/** The context scan's work, started on its own (it prints nothing): runScan reports it. */
export async function scanTheContext(inputs: ScanSettings): Promise<{ result: ScanResult; seconds: number }> {
  const started = performance.now()
  const result = await scanContext({
    context: inputs.context,
    dockerfile: inputs.file,
    ignoreFile: inputs['scan-ignore-file'],
    excludePaths: inputs['scan-exclude'],
    installedPackages: inputs['scan-installed-packages'],
    // The verify phase's layer scan hashes the context's clean files instead of scanning their copies again.
    remember: inputs.build && inputs.verify
  })
  return { result, seconds: Math.round(performance.now() - started) / 1000 }
}

/** Reports the scan (`scanning`, when it was started earlier, else now): log, notices, SARIF, annotations. */
export async function runScan(
  inputs: ScanSettings,
  version: string,
  workspace: string,
  scanning: Promise<{ result: ScanResult; seconds: number }> = scanTheContext(inputs)
): Promise<ScanReport> {
  const { result, seconds } = await scanning
  core.info(
    `Scanned ${result.filesScanned} file(s), ${(result.bytesScanned / 1048576).toFixed(1)} MB, in ${seconds} s: ` +
      `${result.findings.length} finding(s)${result.suppressed ? `, ${result.suppressed} suppressed` : ''}` +
      `${result.notices?.length ? `, ${result.notices.length} notice(s) in installed packages` : ''}` +
      `${result.examples ? `, ${result.examples} documented example(s) ignored` : ''}`
  )
  reportNotices(result.notices ?? [], inputs.context, workspace)
  for (const warning of result.warnings) core.warning(warning)
  if (inputs.sarif) {
    await mkdir(path.dirname(inputs.sarif), { recursive: true })
    await writeFile(
      inputs.sarif,
      JSON.stringify(
        toSarif(result, version, { uriBase: repositoryPath(inputs.context, workspace), level: inputs['fail-on-findings'] ? 'error' : 'warning' }),
        null,
        2
      ) + '\n'
    )
    core.info(`SARIF written to ${inputs.sarif}`)
  }
  const severity = inputs['fail-on-findings'] ? 'error' : 'warning'
  return {
    result,
    seconds,
    findings: result.findings.map(finding => asFinding(finding, inputs, severity, workspacePath(inputs['scan-ignore-file'], workspace)))
  }
}

/** Token-shaped strings in installed third-party packages: public already, so notices (the first few annotated). */
function reportNotices(notices: SecretFinding[], context: string, workspace: string): void {
  for (const notice of notices.slice(0, 10)) {
    core.notice(
      `${notice.description}: ${notice.hint}, in installed package ${notice.package ?? 'unknown'} (not failing: scan-installed-packages is notice).`,
      {
        file: workspacePath(path.resolve(context, notice.file), workspace),
        startLine: notice.line
      }
    )
  }
  if (notices.length > 10) core.notice(`${notices.length - 10} more finding(s) in installed packages, not failing (scan-installed-packages: notice).`)
}

/** Code scanning places SARIF paths relative to the repository root: the context's path from the workspace. */
function repositoryPath(context: string, workspace: string): string {
  const relative = path.relative(workspace, context)
  return relative.startsWith('..') || path.isAbsolute(relative) ? '' : relative.split(path.sep).join('/')
}

function asFinding(secret: SecretFinding, inputs: ScanSettings, severity: Finding['severity'], ignoreFile: string): Finding {
  const file = path.resolve(inputs.context, secret.file)
  return {
    check: `secret/${secret.rule}`,
    severity,
    message: `${secret.description}: ${secret.hint}. ${remedy(file === inputs.file)}${secret.revoke === undefined ? '' : ` Revoke or rotate it at ${secret.revoke}.`} If it is not a secret, add its fingerprint ${secret.fingerprint} to ${ignoreFile} (scan-ignore-file).`,
    file,
    line: secret.line
  }
}

/** What to change: a Dockerfile cannot be left out of its own build, so its secrets move to build-time mounts. */
function remedy(inDockerfile: boolean): string {
  if (inDockerfile) {
    return 'The value would be readable in the pushed image: rotate it, remove the literal, and pass it with the secrets input and RUN --mount=type=secret,id=<id> instead.'
  }
  return 'It would be sent to the build and could end up in the image: rotate it, remove the file from the build context (or exclude it in .dockerignore), and pass what the build needs with the secrets input instead.'
}
