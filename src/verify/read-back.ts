/**
 * The image contract, verified where the image lives: after the push, the pushed image's config and its base's config
 * are read from their registries (linux/amd64, the platform the action builds) and compared. This sees what reading
 * the Dockerfile cannot, such as an entrypoint changed by a layered base.
 */
import { parseImageReference, parseRepository } from '../grammar.js'
import { describeError } from '../errors.js'
import type { Finding } from '../findings.js'
import type { ImageConfigResult } from '../registry/client.js'
import type { RunRegistries } from '../registry/for-inputs.js'
import { compareContract, type ContractRow } from '../image/contract.js'

export interface PushedImage {
  /** The `repository` input, e.g. ghcr.io/acme/openhands-sandbox. */
  repository: string
  tag: string
  /** The pushed manifest (or index) digest, from buildx's metadata. */
  digest: string
}

export interface VerifyOptions {
  /** The final stage's FROM line, where the findings are annotated. */
  line?: number
  /** The base digest the build used (baseDigest()); read by digest, the base cannot have moved since. */
  baseDigest?: string
}

export interface ContractReport {
  /** `repository:tag@digest` as verified. */
  image: string
  /** The base reference as read, with the digest when one was given. */
  base: string
  /** Empty when the configs could not be read. */
  rows: ContractRow[]
  findings: Finding[]
  baseConfigDigest?: string
  imageConfigDigest?: string
  /** Why the contract could not be verified; the findings then hold one warning saying so. */
  unverified?: string
}

const CHECK = 'image-contract'

export async function verifyPushedImage(
  inputs: { file: string },
  registries: RunRegistries,
  pushed: PushedImage,
  baseReference: string,
  options: VerifyOptions = {}
): Promise<ContractReport> {
  const image = `${pushed.repository}:${pushed.tag}@${pushed.digest}`
  const parsedBase = parseImageReference(baseReference)
  // A digest pinned in the reference is what the build pulled.
  const baseDigest = parsedBase?.digest ?? options.baseDigest
  const base = parsedBase && baseDigest && !parsedBase.digest ? `${baseReference}@${baseDigest}` : baseReference
  const finding = (severity: Finding['severity'], message: string): Finding => ({
    check: CHECK,
    severity,
    message,
    file: inputs.file,
    ...(options.line === undefined ? {} : { line: options.line })
  })

  let configs: { pushed: ImageConfigResult; base: ImageConfigResult }
  try {
    configs = await readConfigs(registries, pushed, baseReference, baseDigest)
  } catch (thrown) {
    // The image is already pushed: a registry that cannot be read now must not turn that into a failure.
    const unverified = describeError(thrown)
    return {
      image,
      base,
      rows: [],
      findings: [finding('warning', `The image contract could not be verified in the registry: ${unverified}`)],
      unverified
    }
  }

  const { rows, problems } = compareContract(configs.base.config, configs.pushed.config)
  return {
    image,
    base,
    rows,
    findings: problems.map(problem => finding(problem.severity, problem.message)),
    baseConfigDigest: configs.base.configDigest,
    imageConfigDigest: configs.pushed.configDigest
  }
}

/** Both configs at once; each registry gets only the credentials meant for it (the run's client for it). */
async function readConfigs(
  registries: RunRegistries,
  pushed: PushedImage,
  baseReference: string,
  baseDigest: string | undefined
): Promise<{ pushed: ImageConfigResult; base: ImageConfigResult }> {
  const name = parseRepository(pushed.repository)
  if (name === undefined) throw new Error(`'${pushed.repository}' is not an image repository`)
  const base = parseImageReference(baseReference)
  if (base === undefined) throw new Error(`'${baseReference}' is not an image reference`)
  const [pushedConfig, baseConfig] = await Promise.all([
    registries.client(name.registry).getImageConfig(name.repository, pushed.digest),
    registries.client(base.registry).getImageConfig(base.repository, baseDigest ?? base.tag ?? 'latest')
  ])
  return { pushed: pushedConfig, base: baseConfig }
}

const VERDICT = { pass: '✅', warning: '⚠️', error: '❌' } as const

/** The summary section: markdown lines, for the lead's renderSummary. */
export function renderContract(report: ContractReport): string[] {
  const lines = ['### Image contract (verified in the registry)', '']
  if (report.unverified !== undefined) {
    lines.push(`⚠️ Could not read the configs of ${code(report.image)} and its base ${code(report.base)}: ${cell(report.unverified)}`)
    return lines
  }
  lines.push(
    `${code(report.image)} (config ${code(report.imageConfigDigest ?? '')}) compared with its base ${code(report.base)} ` +
      `(config ${code(report.baseConfigDigest ?? '')}), linux/amd64.`,
    '',
    '| | Check | Base | Pushed image |',
    '|---|---|---|---|'
  )
  for (const row of report.rows) {
    lines.push(`| ${VERDICT[row.verdict]} | ${row.check} | ${value(row.expected)} | ${value(row.found)} |`)
  }
  const failed = report.findings.filter(f => f.severity === 'error').length
  const warned = report.findings.length - failed
  lines.push(
    '',
    failed + warned === 0
      ? '✅ The pushed image keeps the agent-server contract.'
      : `${failed > 0 ? '❌' : '⚠️'} ${[failed && `${failed} error(s)`, warned && `${warned} warning(s)`].filter(Boolean).join(' and ')} (see the annotations).`
  )
  return lines
}

/** Placeholders such as (none) are prose; real values are code. */
function value(text: string): string {
  return /^\(.*\)$/.test(text) ? cell(text) : code(text)
}

/** A code span inside a table cell: pipes escaped, line breaks flattened, fenced past any backticks in the text. */
function code(text: string): string {
  const flat = cell(text)
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map(m => m[0].length))
  const fence = '`'.repeat(longest + 1)
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${flat}${pad}${fence}`
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
}
