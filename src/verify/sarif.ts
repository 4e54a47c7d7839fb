/**
 * Image findings in the same SARIF file as the context scan's: appended to its run (or a new file when the context
 * scan did not write one), placed on the Dockerfile line of the instruction that made them, with the same rules and
 * partial fingerprints. Holds only redacted hints.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileUri, toSarif } from '../secrets/sarif.js'
import { RULES } from '../secrets/rules.js'
import type { ImageSecretFinding } from './image-scan.js'

export interface PlacedFinding {
  finding: ImageSecretFinding
  line?: number
}

interface SarifLog {
  runs: Array<{ results: unknown[] }>
}

/** The SARIF results of image findings, on `dockerfileUri` (relative to the repository root). Pure. */
export function imageResults(findings: readonly PlacedFinding[], dockerfileUri: string, level: 'error' | 'warning'): object[] {
  const index = new Map(RULES.map((rule, i) => [rule.id, i]))
  return findings.map(({ finding, line }) => ({
    ruleId: finding.rule,
    ruleIndex: index.get(finding.rule) ?? -1,
    level,
    message: {
      text:
        `${finding.description}: ${finding.hint} in the built image, ${finding.source === 'layer' ? `file ${finding.where}` : `config ${finding.where}`}` +
        `${finding.layer === undefined ? '' : `, layer ${finding.layer}`} (made by ${finding.instruction})` +
        `${finding.deletedBy ? `, deleted by layer ${finding.deletedBy.layer} but still shipped` : ''}`
    },
    locations: [{ physicalLocation: { artifactLocation: { uri: fileUri(dockerfileUri) }, region: { startLine: line ?? 1 } } }],
    partialFingerprints: { 'sandboxSecret/v1': finding.fingerprint }
  }))
}

export async function appendToSarif(file: string, results: object[], version: string, level: 'error' | 'warning'): Promise<void> {
  let log: SarifLog
  try {
    log = JSON.parse(await readFile(file, 'utf8')) as SarifLog
    if (!Array.isArray(log.runs) || log.runs.length === 0) throw new Error('no run')
  } catch {
    log = toSarif({ findings: [], filesScanned: 0, bytesScanned: 0, skipped: [], warnings: [] }, version, { level }) as SarifLog
  }
  const run = log.runs[0] as { results: unknown[] }
  run.results = [...(Array.isArray(run.results) ? run.results : []), ...results]
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, JSON.stringify(log, null, 2) + '\n')
}
