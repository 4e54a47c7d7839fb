/**
 * The image secret scan's results, assembled from a streamed `docker save` (scanSaveArchive) and the image config:
 * every finding names the path in the image (or the config field), the layer and the Dockerfile instruction that
 * made it, whether a later layer deleted it (it is still shipped), a redacted hint and a fingerprint that the
 * context scan's ignore file accepts. Pure: tested by tables.
 */
import type { RawFinding } from '../secrets/engine.js'
import { BUFFER_SIZE, scanFile } from '../secrets/engine.js'
import { ruleDescription } from '../secrets/rules.js'
import type { SecretFinding } from '../secrets/scan.js'
import { fingerprintOf, redactHint } from '../secrets/values.js'
import { layerOrigins, showInstruction, type HistoryEntry } from './history.js'
import type { ScannedImage } from './scanned-image.js'
import { deletedIn, type Whiteout } from './whiteout.js'
import { chunkReader } from '../secrets/chunk-reader.js'

/** The parts of an image config the scan reads. */
export interface ConfigBlob {
  config?: { Env?: string[] | null; Labels?: Record<string, string> | null }
  history?: HistoryEntry[]
  rootfs?: { diff_ids?: string[] }
}

export interface ImageSecretFinding extends SecretFinding {
  /** A file in a layer, or a field of the image config. */
  source: 'layer' | 'env' | 'label' | 'history'
  /** The path in the image (`/root/.npmrc`), or the config field (`Env NPM_TOKEN`, `Labels token`, `history`). */
  where: string
  /** 1-based layer number in the image; absent for Env and Labels. */
  layer?: number
  /** The Dockerfile instruction that made it, as history records it (build-arg values left out). */
  instruction: string
  /**
   * Index of that instruction's entry in the config's history: the Dockerfile line is found from the entry as
   * recorded (instructionLine), since `instruction` has the found value redacted and the Dockerfile does not.
   */
  step?: number
  /** A later layer that deleted the file: it is still in the pushed image. */
  deletedBy?: { layer: number; instruction: string }
}

export interface BaseFacts {
  /** How many of the image's layers are the agent-server base's. */
  layers: number
  /** The base config's Env and Labels: the scan looks only at what the custom image adds or changes. */
  env: readonly string[]
  labels: Readonly<Record<string, string>>
}

export interface ImageSecrets {
  findings: ImageSecretFinding[]
  /** Findings inside installed third-party packages (scan-installed-packages: notice): reported, never failing. */
  notices?: ImageSecretFinding[]
  suppressed: number
  /** Documented example values and values on comment lines that call themselves examples: counted, not reported. */
  examples: number
  layersScanned: number
  filesScanned: number
  bytesScanned: number
}

const ENV_DESCRIPTION = 'image config'

export function assembleImageSecrets(archive: ScannedImage, config: ConfigBlob, base: BaseFacts, ignored: ReadonlySet<string>): ImageSecrets {
  const diffIds = config.rootfs?.diff_ids ?? []
  const origins = layerOrigins(config.history, diffIds.length)
  const instructions = origins.map(origin => origin.instruction)
  const whiteouts: Whiteout[][] = diffIds.map((_, index) => archive.layers.get(index)?.whiteouts ?? [])
  const result: ImageSecrets = { findings: [], suppressed: 0, examples: 0, layersScanned: archive.layers.size, filesScanned: 0, bytesScanned: 0 }
  const values: string[] = []
  const add = (raw: RawFinding, fields: Omit<ImageSecretFinding, keyof SecretFinding>, file: string): void => {
    // As in the context scan: a value providers publish as an example, or one a comment calls an example, is no secret.
    if (raw.example === true) {
      result.examples++
      return
    }
    const fingerprint = fingerprintOf(file, raw.rule, raw.value)
    if (raw.allowed || ignored.has(fingerprint)) {
      result.suppressed++
      return
    }
    values.push(raw.value)
    result.findings.push({
      rule: raw.rule,
      description: ruleDescription(raw.rule),
      file,
      line: raw.line,
      column: raw.column,
      hint: redactHint(raw.value),
      fingerprint,
      ...fields
    })
  }

  for (const [index, layer] of [...archive.layers].sort((a, b) => a[0] - b[0])) {
    result.filesScanned += layer.files
    result.bytesScanned += layer.bytes
    for (const { path, finding } of layer.findings) {
      const deleted = deletedIn(path, index, whiteouts)
      add(
        finding,
        {
          source: 'layer',
          where: path,
          layer: index + 1,
          instruction: instructions[index] ?? '(unknown)',
          ...(origins[index]?.step === undefined ? {} : { step: origins[index].step }),
          ...(deleted === undefined ? {} : { deletedBy: { layer: deleted + 1, instruction: instructions[deleted] ?? '(unknown)' } })
        },
        `image:${path}`
      )
    }
  }

  const baseEnv = new Set(base.env)
  const env = (config.config?.Env ?? []).filter(entry => !baseEnv.has(entry))
  for (const { raw, text } of scanLines(env, true)) {
    const name = text.split('=')[0] ?? ''
    add(raw, { source: 'env', where: `Env ${name}`, instruction: envInstruction(config.history, name) }, 'image:config/Env')
  }
  const labels = Object.entries(config.config?.Labels ?? {})
    .filter(([key, value]) => base.labels[key] !== value)
    .map(([key, value]) => `${key}=${value}`)
  for (const { raw, text } of scanLines(labels, false)) {
    add(raw, { source: 'label', where: `Labels ${text.split('=')[0] ?? ''}`, instruction: 'LABEL (or the labels input)' }, 'image:config/Labels')
  }
  const history = customHistory(config.history, base.layers)
  for (const { raw, text } of scanLines(
    history.map(entry => entry.createdBy),
    false
  )) {
    const entry = history.find(candidate => candidate.createdBy === text)
    add(
      raw,
      {
        source: 'history',
        where: 'history',
        ...(entry?.layer === undefined ? {} : { layer: entry.layer + 1 }),
        instruction: entry ? entry.instruction : '(unknown)',
        ...(entry === undefined ? {} : { step: entry.step })
      },
      'image:config/history'
    )
  }

  // An instruction may quote the very value found (an ENV line, a RUN that echoes a literal): never show it.
  for (const finding of result.findings) {
    finding.instruction = redactValues(finding.instruction, values)
    if (finding.deletedBy) finding.deletedBy.instruction = redactValues(finding.deletedBy.instruction, values)
  }
  result.findings.sort((a, b) => (a.layer ?? 0) - (b.layer ?? 0) || compare(a.where, b.where) || a.line - b.line || compare(a.rule, b.rule))
  return result
}

/** Scans each line on its own (one small buffer each); a finding keeps the line it came from. */
function scanLines(lines: readonly string[], dotenv: boolean): Array<{ raw: RawFinding; text: string }> {
  const found: Array<{ raw: RawFinding; text: string }> = []
  const buf = Buffer.allocUnsafe(BUFFER_SIZE)
  for (const text of lines) {
    const bytes = Buffer.from(text, 'utf8')
    const scan = scanFile(chunkReader([bytes]), buf, bytes.length, { dotenv, codeFile: false, dockerfile: false })
    for (const raw of scan.findings) found.push({ raw, text })
  }
  return found
}

interface CustomHistory {
  createdBy: string
  instruction: string
  /** Index in the config's history. */
  step: number
  /** 0-based index of the layer it made, or the layer it follows when it made none. */
  layer?: number
}

/**
 * History entries after the one that made the base's last layer, each with its instruction and, when it made a
 * layer, that layer. (Empty entries right after the base's last layer, such as its ENTRYPOINT, are included: the
 * config does not say where the base's history ends.)
 */
export function customHistory(history: readonly HistoryEntry[] | undefined, baseLayers: number): CustomHistory[] {
  const result: CustomHistory[] = []
  let layers = 0
  ;(history ?? []).forEach((entry, step) => {
    const made = entry.empty_layer !== true
    if (made) layers++
    if (layers < baseLayers || (made && layers === baseLayers)) return
    const createdBy = entry.created_by ?? ''
    if (createdBy === '') return
    result.push({ createdBy, instruction: showInstruction(createdBy), step, ...(made ? { layer: layers - 1 } : {}) })
  })
  return result
}

/** The ENV instruction that set `name`, its value left out. */
function envInstruction(history: readonly HistoryEntry[] | undefined, name: string): string {
  const set = (history ?? []).some(entry => new RegExp(`^(?:/bin/sh -c #\\(nop\\)\\s*)?ENV\\b.*\\b${escape(name)}[= ]`).test(entry.created_by ?? ''))
  return set ? `ENV ${name}=…` : `${ENV_DESCRIPTION} Env ${name} (set by an image it is built FROM, or at build time)`
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

export function redactValues(text: string, values: readonly string[]): string {
  return [...values]
    .sort((a, b) => b.length - a.length)
    .reduce((result, value) => (value.length >= 4 ? result.split(value).join(redactHint(value)) : result), text)
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
