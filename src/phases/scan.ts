import * as core from '@actions/core'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Finding } from '../findings.js'
import type { Inputs } from '../inputs.js'
import { toSarif } from '../secrets/sarif.js'
import { scanContext, type ScanResult, type SecretFinding } from '../secrets/scan.js'

export interface ScanReport {
  result: ScanResult
  seconds: number
  /** The findings as annotations: errors, or warnings with fail-on-findings: false. */
  findings: Finding[]
}

/** Scans exactly what docker would send, before anything is built; writes SARIF when asked. */
export async function runScan(inputs: Inputs, version: string, workspace: string): Promise<ScanReport> {
  const started = performance.now()
  const result = await scanContext({
    context: inputs.context,
    dockerfile: inputs.file,
    ignoreFile: inputs['scan-ignore-file'],
    excludePaths: inputs['scan-exclude']
  })
  const seconds = Math.round(performance.now() - started) / 1000
  core.info(
    `Scanned ${result.filesScanned} file(s), ${(result.bytesScanned / 1048576).toFixed(1)} MB, in ${seconds} s: ` +
      `${result.findings.length} finding(s)${result.suppressed ? `, ${result.suppressed} suppressed` : ''}`
  )
  for (const warning of result.warnings) core.warning(warning)
  if (inputs.sarif) {
    await mkdir(path.dirname(inputs.sarif), { recursive: true })
    await writeFile(inputs.sarif, JSON.stringify(toSarif(result, version, { uriBase: repositoryPath(inputs.context, workspace) }), null, 2) + '\n')
    core.info(`SARIF written to ${inputs.sarif}`)
  }
  const severity = inputs['fail-on-findings'] ? 'error' : 'warning'
  return { result, seconds, findings: result.findings.map(finding => asFinding(finding, inputs.context, severity)) }
}

/** Code scanning places SARIF paths relative to the repository root: the context's path from the workspace. */
function repositoryPath(context: string, workspace: string): string {
  const relative = path.relative(workspace, context)
  return relative.startsWith('..') || path.isAbsolute(relative) ? '' : relative.split(path.sep).join('/')
}

function asFinding(secret: SecretFinding, context: string, severity: Finding['severity']): Finding {
  return {
    check: `secret/${secret.rule}`,
    severity,
    message:
      `${secret.description} (${secret.hint}) would be sent to the build and could end up in the image. ` +
      `Remove it from the build context (or exclude the file in .dockerignore), rotate it, and pass what the build ` +
      `needs as a build secret. If it is not a secret, add its fingerprint ${secret.fingerprint} to the scan ignore file.`,
    file: path.resolve(context, secret.file),
    line: secret.line
  }
}
