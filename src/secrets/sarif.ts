// SARIF 2.1.0 for GitHub code scanning: one rule per scanner rule, one result per finding with a physical
// location and a partial fingerprint that survives line moves. Holds only redacted hints, never a value.

import { RULES } from './rules.js'
import type { ScanResult, SecretFinding } from './scan.js'

export { RULES } from './rules.js'

export interface SarifOptions {
  /**
   * Path of the build context relative to the repository root ('/'-separated), prefixed to every file so that
   * code scanning finds it (e.g. `docker/sandbox`). Default: none (paths relative to the context).
   */
  uriBase?: string
  /** `warning` when the findings do not fail the step (fail-on-findings: false), so code scanning does not block. */
  level?: 'error' | 'warning'
}

/** `\xNN` (how a non-UTF-8 file name byte is shown) becomes `%NN`; everything else is percent-encoded per segment. */
export function fileUri(file: string, uriBase = ''): string {
  if (file.startsWith('/')) return `file://${encodePath(file)}`
  const base = uriBase.replace(/^\.?\/+|\/+$/g, '')
  return encodePath(base === '' ? file : `${base}/${file}`)
}

function encodePath(path: string): string {
  return path
    .split('/')
    .map(segment =>
      segment
        .split(/(\\x[0-9a-f]{2})/)
        .map(part => (/^\\x[0-9a-f]{2}$/.test(part) ? `%${part.slice(2).toUpperCase()}` : encodeURIComponent(part)))
        .join('')
    )
    .join('/')
}

export function toSarif(result: ScanResult, toolVersion: string, options: SarifOptions = {}): object {
  const index = new Map(RULES.map((rule, i) => [rule.id, i]))
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ohe-sandbox-secret-scan',
            version: toolVersion,
            rules: RULES.map(rule => ({
              id: rule.id,
              name: rule.id,
              shortDescription: { text: rule.description },
              ...(rule.revoke === undefined ? {} : { helpUri: rule.revoke }),
              fullDescription: { text: rule.description },
              defaultConfiguration: { level: options.level ?? 'error' },
              help: {
                text: `${rule.description}. Remove it from the build context (or add it to .dockerignore) and pass it at build time as a BuildKit secret instead.`
              },
              properties: { tags: ['security', 'secret'], precision: 'high' }
            }))
          }
        },
        columnKind: 'utf16CodeUnits',
        results: result.findings.map(finding => toResult(finding, index, options))
      }
    ]
  }
}

function toResult(finding: SecretFinding, index: Map<string, number>, options: SarifOptions): object {
  return {
    ruleId: finding.rule,
    ruleIndex: index.get(finding.rule) ?? -1,
    level: options.level ?? 'error',
    message: { text: `${finding.description}: ${finding.hint}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: fileUri(finding.file, options.uriBase) },
          region: { startLine: finding.line, startColumn: finding.column }
        }
      }
    ],
    partialFingerprints: { 'sandboxSecret/v1': finding.fingerprint }
  }
}
