/**
 * The verify phase: the image built into the engine is scanned for secrets (its custom layers and its config) and
 * booted as OHE boots it, both at once; its added size is measured. Nothing here pushes: publishVerified pushes
 * only after this passed.
 */
import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile } from 'node:fs/promises'
import path from 'node:path'
import { parseImageReference } from '../grammar.js'
import { describeError, UserError } from '../errors.js'
import type { Finding } from '../findings.js'
import type { ImageConfigResult } from '../registry/client.js'
import type { RegistryInputs, RunRegistries } from '../registry/for-inputs.js'
import { loadIgnoreFile } from '../secrets/suppress.js'
import { openScanPool, type ScanPool } from '../secrets/scan-pool.js'
import type { ScannedClean } from '../secrets/scanned-clean.js'
import { builtInRuntime, type ResolvedRuntime, type RuntimeSpec } from '../release/runtime-spec.js'
import { bootCheck, engineRunsAmd64, sandboxLimits, STARTUP_ALLOWANCE_SECONDS, type BootedSandbox, type BootReport } from './boot.js'
import { inspectImage, readImagePasswd, saveImage } from './docker-image.js'
import { layerInstructions } from './history.js'
import { noPasswdMessage, sandboxFiles, unwritableMessage, workspaceMessage, type SandboxFiles } from './sandbox-files.js'
import { assembleImageSecrets, type BaseFacts, type ConfigBlob, type ImageSecretFinding, type ImageSecrets } from './image-scan.js'
import { classifyInstalledPackages } from './image-packages.js'
import { findingLine, instructionLine } from './instruction-line.js'
import type { HistoryEntry } from './history.js'
import type { CommandsReport } from './sandbox-commands.js'
import { judgeSandbox, sandboxHook, type SandboxSettings } from './sandbox-phase.js'
import { redact as redactKnown } from '../redaction.js'
import { discoverHelpers, pathOf, type Helper } from './helpers.js'
import { makeRedactor } from './redact.js'
import { appendToSarif, imageResults } from './sarif.js'
import { formatMemory } from './quantity.js'
import { LoopbackUnreachable, scanThroughLoopback, type SentImage } from './loopback-export.js'
import { scanSaveArchive } from './save-archive.js'
import type { ScannedImage } from './scanned-image.js'
import { diffIdMismatch } from './push.js'
import { formatSize } from './size.js'
import { workspacePath } from '../workspace.js'

/** The settings verification reads, named as in action.yml. */
export interface VerifySettings extends RegistryInputs, SandboxSettings {
  /** Absolute Dockerfile path: findings are placed on its lines. */
  file: string
  secrets: Array<{ id: string; value: string }>
  'build-args': Record<string, string>
  'scan-ignore-file': string
  'fail-on-findings': boolean
  /** Image findings inside installed third-party packages: notices (never failing), or findings with `fail`. */
  'scan-installed-packages': 'notice' | 'fail'
  /** Seconds to wait for the server; undefined: what the runtime's startup probe allows. */
  'boot-timeout'?: number
  /** The sandbox limits (bytes, cores); undefined: the runtime spec's. */
  'sandbox-memory'?: number
  'sandbox-cpus'?: number
  /** Bytes the custom layers may add; undefined for no limit. */
  'max-added-size'?: number
  push: boolean
  /** Absolute SARIF path, or empty. */
  sarif: string
}

export interface VerifyFacts {
  /** The local tag the image was loaded under. */
  image: string
  /** The target agent-server version, e.g. 1.23.0. */
  release: string
  /** The agent-server base the image is built on; its layers are not scanned. */
  agentServerReference?: string
  /** Private temp dir (spooled files, the boot check's env file). */
  workDir: string
  /** The run's registry clients: the base's layers are read from its registry. */
  registries: RunRegistries
  /** How the target release starts a sandbox; the built-in spec when absent. */
  runtime?: ResolvedRuntime
  /** Keep the blobs the engine sends to the loopback registry (VerifyReport.sent), for the push to upload. */
  keepSent?: boolean
  /** The files the context scan found clean (LayerScanOptions.clean). */
  scannedClean?: ScannedClean
  /** Runs in the booted, healthy sandbox before it is removed (the sandbox commands). */
  afterHealthy?: (sandbox: BootedSandbox) => Promise<void>
  /** For the SARIF file: the workspace (paths relative to it) and the action's version. */
  workspace?: string
  version?: string
  /** Takes the removals of the boot-check container and of the loopback tag, so that the push need not wait for them. */
  deferRemoval?: (removed: Promise<void>) => void
}

export interface ImageSecretReport extends ImageSecrets {
  /** Base layers met and not scanned. */
  baseLayersSkipped: number
  /** Why the base's layers could not be told apart (then every layer was scanned). */
  baseUnknown?: string
  /** What of the image could not be read (a layer, the config): the scan is incomplete and the verification fails. */
  incomplete?: string
  seconds: number
  /** Text files (and their bytes) the context scan had found clean: hashed, not scanned again. */
  alreadyScanned?: { files: number; bytes: number }
  /** Bytes read (the blobs the engine sent, or all of `docker save`), per second. */
  bytesPerSecond: number
  /**
   * Where the layers were read from: `loopback` (the engine pushed the custom layers to a registry this step ran on
   * 127.0.0.1, the base's were never sent) or `docker save` (the whole image exported; when the engine could not
   * reach this host's loopback).
   */
  source: 'loopback' | 'docker save'
}

export interface AddedSize {
  /** Layers the image adds over the base. */
  layers: number
  uncompressed: number
  /** gzip level 1 estimate before the push; replaced by the registry's sizes once pushed. */
  compressed: number
  compressedSource: 'estimate' | 'registry'
}

export interface VerifyReport {
  image: string
  /** The image's `prepare-*` / `*-verify` helpers its custom layers add on its PATH. */
  helpers?: Helper[]
  /** sandbox-commands as they ran in the booted sandbox; absent when none were given or the sandbox never got healthy. */
  commands?: CommandsReport
  /** Container start to healthy plus the sandbox commands (the ready-seconds output); set when all of them passed. */
  readySeconds?: number
  maxReadySeconds?: number
  diffIds: string[]
  baseLayers: number
  secrets: ImageSecretReport
  boot: BootReport
  size: AddedSize
  /** What the sandbox's /workspace volume hides, and what its user cannot write; absent when the layers were not read. */
  sandboxFiles?: SandboxFiles
  /** Annotations: each image secret, the boot failure, a size over max-added-size. */
  findings: Finding[]
  /** One line per failed part; empty when the image may be pushed. */
  problems: string[]
  seconds: number
  /** The image as the engine sent it to the loopback registry (keepSent): the bytes that were scanned. */
  sent?: SentImage
}

/**
 * The image's custom layers being read (its identity and base first): begun by verifyImage, or earlier, as soon
 * as the engine holds the image (BuildFacts.onLoadNamed), so that the read runs beside the end of the build.
 */
export interface LayerRead {
  base: Promise<BaseRead>
  layers: Promise<LayersRead & { scanThreads: number; seconds: number }>
  /** Begun before the build ended. */
  early: boolean
  /** Whether the engine runs linux/amd64, the boot check's first question, asked beside the read. */
  platform: Promise<string | undefined>
}

type LocalImage = { id: string; diffIds: string[] }
type BaseRead = BaseFacts & { unknown?: string; blobs?: Map<string, number> }

export function startLayerRead(facts: VerifyFacts, early = false): LayerRead {
  const started = performance.now()
  // The engine's view of the image and the base's registry are asked at once; the loopback read starts beside them.
  const local = inspectImage(facts.image)
  const baseImage = readBase(facts.registries, facts.agentServerReference)
  const base = Promise.all([local, baseImage]).then(([image, read]) => baseFacts(read, facts.agentServerReference, image.diffIds))
  const layers = readLayers(facts, local, base).then(read => ({ ...read, seconds: (performance.now() - started) / 1000 }))
  // Awaited later, perhaps once the build has ended: a failure meanwhile is not an unhandled one.
  const platform = engineRunsAmd64()
  for (const promise of [local, base, layers, platform]) promise.catch(() => undefined)
  return { base, layers, early, platform }
}

/** Resolves once a read (if any was begun) has ended, whichever way: its loopback registry and spooled files are gone then. */
export async function layerReadEnded(read: LayerRead | undefined): Promise<void> {
  await read?.layers.catch(() => undefined)
}

export async function verifyImage(inputs: VerifySettings, facts: VerifyFacts, read: LayerRead = startLayerRead(facts)): Promise<VerifyReport> {
  const started = Date.now()
  const base = await read.base
  const known = [inputs['registry-password'], ...inputs.secrets.map(secret => secret.value), ...Object.values(inputs['build-args'])]
  const redact = makeRedactor(known)
  // What a sandbox command prints goes through both redactions: this run's known values and detected tokens.
  const commandHook = sandboxHook(inputs, text => redactKnown(redact(text)))
  const afterHealthy = composeHooks(facts.afterHealthy, commandHook.afterHealthy)

  const runtime = facts.runtime ?? builtInRuntime('no OHE release was resolved')
  const limits = sandboxLimits(runtime.spec, { memory: inputs['sandbox-memory'], cpus: inputs['sandbox-cpus'] })
  const [scanned, boot] = await Promise.all([
    core.group('Verify: scan the image layers and config for secrets', () => scanImage(inputs, facts, read, base, runtime.spec)),
    core.group('Verify: boot the image as OHE does', () =>
      bootCheck({
        image: facts.image,
        target: facts.release,
        spec: runtime.spec,
        specSource: runtime.source,
        memoryBytes: limits.memoryBytes,
        cpus: limits.cpus,
        timeoutSeconds: inputs['boot-timeout'] ?? STARTUP_ALLOWANCE_SECONDS,
        workDir: facts.workDir,
        redact,
        platform: read.platform,
        ...(afterHealthy ? { afterHealthy } : {}),
        ...(facts.deferRemoval ? { deferRemoval: facts.deferRemoval } : {})
      })
    )
  ])
  const { secrets, size, history, helpers } = scanned
  if (helpers.length > 0) {
    core.info(`Helpers in the image: ${helpers.map(helper => helper.path).join(', ')}`)
  }

  const findings: Finding[] = []
  const problems: string[] = []
  const dockerfile = await readFile(inputs.file, 'utf8').catch(() => '')
  const severity = inputs['fail-on-findings'] ? 'error' : 'warning'
  const placed = secrets.findings.map(finding => ({ finding, line: findingLine(dockerfile, finding, history) }))
  for (const { finding, line } of placed) findings.push(asAnnotation(finding, inputs, line, severity))
  reportNotices(secrets.notices ?? [], facts.workspace ? workspacePath(inputs.file, facts.workspace) : inputs.file, dockerfile, history)
  if (inputs.sarif && placed.length > 0) {
    const uri = path
      .relative(facts.workspace ?? path.dirname(inputs.file), inputs.file)
      .split(path.sep)
      .join('/')
    await appendToSarif(inputs.sarif, imageResults(placed, uri, severity), facts.version ?? '0.0.0', severity)
    core.info(`Image findings added to ${inputs.sarif}`)
  }
  if (secrets.findings.length > 0 && inputs['fail-on-findings']) {
    problems.push(`${secrets.findings.length} secret(s) found in the built image`)
  }
  if (scanned.unscanned) {
    findings.push({
      check: 'verify/secrets',
      severity: 'error',
      message: `${scanned.unscanned}. Run the workflow again; report it if it persists.`,
      file: inputs.file
    })
    problems.push(scanned.unscanned)
  }
  if (!boot.ok) {
    const spec = runtime.spec
    const started =
      boot.failedProbe === 'memory'
        ? ''
        : ` OHE starts the image with ${spec.command.join(' ')} as ${spec.runAsUser}:${spec.runAsGroup} in ${spec.workingDir}; keep the base's server and user.`
    const message =
      `Boot check failed at ${boot.failedProbe ?? '?'}: ${boot.problem ?? ''}.${started}` +
      (boot.logTail && boot.logTail.length > 0 ? ` Last log lines:\n${boot.logTail.join('\n')}` : ' The container printed nothing.')
    findings.push({ check: 'verify/boot', severity: 'error', message, file: inputs.file })
    problems.push(
      boot.failedProbe === 'memory'
        ? `the sandbox ran out of memory under its ${formatMemory(limits.memoryBytes)} limit`
        : `the image did not boot as OHE starts it (${boot.failedProbe ?? '?'})`
    )
  }
  const sandbox = scanned.sandbox
  const user = { uid: runtime.spec.runAsUser, gid: runtime.spec.runAsGroup, fsGroup: runtime.spec.fsGroup }
  if (sandbox.workspace) {
    const line = instructionLine(dockerfile, sandbox.workspace.first[0]?.instruction ?? '')
    findings.push({
      check: 'verify/workspace',
      severity: 'error',
      message: workspaceMessage(sandbox.workspace),
      file: inputs.file,
      ...(line === undefined ? {} : { line })
    })
    problems.push(`${sandbox.workspace.count} file(s) under /workspace, which the sandbox's volume hides`)
  }
  if (sandbox.unwritable) {
    const line = instructionLine(dockerfile, sandbox.unwritable.first[0]?.instruction ?? '')
    const message = unwritableMessage(sandbox.unwritable, sandbox, user)
    findings.push({ check: 'verify/writable', severity: 'warning', message, file: inputs.file, ...(line === undefined ? {} : { line }) })
  }
  if (sandbox.passwd === 'no-entry') findings.push({ check: 'verify/writable', severity: 'warning', message: noPasswdMessage(user), file: inputs.file })
  const commands = commandHook.report()
  const judged = judgeSandbox(inputs, boot.ok ? boot.secondsToHealthy : undefined, commands, helpers, inputs.file)
  findings.push(...judged.findings)
  problems.push(...judged.problems)
  const limit = inputs['max-added-size']
  if (limit !== undefined && size.compressed > limit) {
    const message =
      `The layers added over the base are ${formatSize(size.compressed)} compressed (estimated with gzip -1; ${formatSize(size.uncompressed)} ` +
      `uncompressed, ${size.layers} layer(s)), above max-added-size ${formatSize(limit)}: every sandbox start pulls them. ` +
      'Remove caches and build tools in the same RUN that made them, or raise max-added-size.'
    findings.push({ check: 'verify/size', severity: 'error', message, file: inputs.file })
    problems.push(`the added layers exceed max-added-size (${formatSize(size.compressed)} > ${formatSize(limit)})`)
  }
  return {
    image: facts.image,
    helpers,
    ...(commands === undefined ? {} : { commands }),
    ...(judged.readySeconds === undefined ? {} : { readySeconds: judged.readySeconds }),
    ...(inputs['max-ready-seconds'] === undefined ? {} : { maxReadySeconds: inputs['max-ready-seconds'] }),
    diffIds: scanned.diffIds,
    baseLayers: base.layers,
    secrets,
    boot,
    size,
    sandboxFiles: sandbox,
    findings,
    problems,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    ...(scanned.sent ? { sent: scanned.sent } : {})
  }
}

async function scanImage(
  inputs: VerifySettings,
  facts: VerifyFacts,
  read: LayerRead,
  base: BaseRead,
  spec: RuntimeSpec
): Promise<{
  secrets: ImageSecretReport
  size: AddedSize
  sandbox: SandboxFiles
  helpers: Helper[]
  diffIds: string[]
  history?: HistoryEntry[]
  unscanned?: string
  sent?: SentImage
}> {
  // The base's /etc/passwd is read through a created container beside the layer read rather than after it: only the
  // read's end tells whether a custom layer wrote one, and the engine's create, copy and remove took 0.2 s more then.
  const createdPasswd = readImagePasswd(facts.image, `ohe-verify-${randomBytes(6).toString('hex')}`).catch(() => undefined)
  // Its container is removed before a failed read's error goes on.
  const layersRead = await read.layers.catch(async (thrown: unknown) => {
    await createdPasswd
    throw thrown
  })
  const { archive, source, diffIds, sameAsBase, sent, scanThreads } = layersRead
  const assembling = performance.now()
  const customLayers = diffIds.length - base.layers
  // A layer or a config that was not read cannot be vouched for: verification fails rather than push it unscanned.
  const missing = new Set(diffIds.slice(base.layers).filter((_, i) => !sameAsBase.has(base.layers + i))).size - archive.layers.size
  const unread: string[] = []
  if (missing > 0) {
    unread.push(
      `${missing} custom layer(s) of ${facts.image} could not be read from ${source}` +
        `${archive.unreadable > 0 ? ' (zstd-compressed)' : ''}, so their files were not scanned for secrets`
    )
  }
  let config: ConfigBlob = { rootfs: { diff_ids: diffIds } }
  try {
    if (archive.config) config = JSON.parse(archive.config.toString('utf8')) as ConfigBlob
  } catch {
    archive.configProblem = `the image config read from ${source} is not JSON`
  }
  if (archive.config === undefined || archive.configProblem) {
    unread.push(`${archive.configProblem ?? `${source} gave no image config`}, so its Env, Labels and history were not scanned for secrets`)
  }
  const unscanned = unread.length > 0 ? unread.join('; ') : undefined
  const whiteouts = diffIds.map((_, index) => archive.layers.get(index)?.whiteouts ?? [])
  const helperLayers = [...archive.layers].map(([index, layer]) => ({ index, helpers: layer.helpers ?? [] }))
  const helpers = discoverHelpers(helperLayers, whiteouts, pathOf(config.config?.Env))
  const ignored = await loadIgnoreFile(inputs['scan-ignore-file'])
  const assembled = await classifyInstalledPackages(assembleImageSecrets(archive, config, base, ignored), archive, inputs['scan-installed-packages'])
  if (archive.recordsDropped) {
    core.warning(
      'The custom layers hold more package records (package.json, *.dist-info, vendor manifests) than the scan keeps ' +
        '(64 MB): findings in the packages whose records were not kept are reported as findings, not as installed-package notices.'
    )
  }
  // The read's own time and what followed it here; not the wait for a build the read began beside.
  const seconds = Math.round(layersRead.seconds * 1000 + performance.now() - assembling) / 1000
  const bytesPerSecond = seconds > 0 ? Math.round(archive.bytesRead / seconds) : 0
  const alreadyScanned = knownClean(archive)
  core.info(
    `Scanned ${assembled.layersScanned} custom layer(s) (${assembled.filesScanned} text file(s), ${formatSize(assembled.bytesScanned)}` +
      `${alreadyScanned ? `; ${alreadyScanned.files} of them, ${formatSize(alreadyScanned.bytes)}, found clean in the build context and only hashed` : ''}) and the config ` +
      `in ${seconds} s${scanThreads > 0 ? ` (the secret engine on ${scanThreads} worker thread(s))` : ''}, read from ${source === 'loopback' ? 'the blobs the engine pushed to the loopback registry' : 'docker save'}${read.early ? ' (begun as soon as the engine held the image, before the build ended)' : ''}; skipped ${archive.skippedBase} base layer(s)${base.unknown ? ` (base unknown: ${base.unknown})` : ''}: ` +
      `${assembled.findings.length} finding(s)${assembled.suppressed ? `, ${assembled.suppressed} suppressed` : ''}` +
      `${assembled.examples ? `, ${assembled.examples} documented example(s) ignored` : ''}` +
      `${assembled.notices?.length ? `, ${assembled.notices.length} notice(s) in installed packages` : ''}.`
  )
  const sum = (map: Map<number, number>): number => [...map.values()].reduce((a, b) => a + b, 0)
  const sandbox = sandboxFiles({
    layers: archive.layers,
    instructions: layerInstructions(config.history, diffIds.length),
    ...(await imagePasswd(archive, createdPasswd)),
    user: { uid: spec.runAsUser, gid: spec.runAsGroup, fsGroup: spec.fsGroup }
  })
  return {
    sandbox,
    secrets: {
      ...assembled,
      baseLayersSkipped: archive.skippedBase,
      ...(base.unknown ? { baseUnknown: base.unknown } : {}),
      ...(unscanned ? { incomplete: unscanned } : {}),
      seconds,
      bytesPerSecond,
      source,
      ...(alreadyScanned ? { alreadyScanned } : {})
    },
    size: { layers: customLayers, uncompressed: sum(archive.sizes), compressed: sum(archive.compressed), compressedSource: 'estimate' },
    ...(config.history ? { history: config.history } : {}),
    helpers,
    diffIds,
    ...(unscanned ? { unscanned } : {}),
    ...(sent ? { sent } : {})
  }
}

/** The layers' files whose bytes the context scan had found clean, when there are any. */
function knownClean(archive: ScannedImage): { files: number; bytes: number } | undefined {
  const layers = [...archive.layers.values()].filter(layer => layer.known)
  if (layers.length === 0) return undefined
  return { files: layers.reduce((n, layer) => n + (layer.known?.files ?? 0), 0), bytes: layers.reduce((n, layer) => n + (layer.known?.bytes ?? 0), 0) }
}

/** The image's /etc/passwd: the last custom layer's, the base's when its layers were read, else the one read through a created container. */
async function imagePasswd(archive: ScannedImage, created: Promise<string | undefined>): Promise<{ passwd?: string }> {
  const custom = [...archive.layers].sort((a, b) => b[0] - a[0]).find(([, layer]) => layer.passwd !== undefined)
  const text = custom?.[1].passwd ?? archive.basePasswd?.text ?? (await created)
  return text === undefined ? {} : { passwd: text }
}

/** Both hooks in turn (the caller's first), or the one given. */
function composeHooks(first: VerifyFacts['afterHealthy'], second: VerifyFacts['afterHealthy']): VerifyFacts['afterHealthy'] {
  if (!first || !second) return first ?? second
  return async sandbox => {
    await first(sandbox)
    await second(sandbox)
  }
}

/**
 * The custom layers and the config, read through the loopback registry (only what the build added crosses), or
 * from `docker save` of the whole image when the engine cannot reach this host's loopback.
 */
async function readLayers(facts: VerifyFacts, local: Promise<LocalImage>, base: Promise<BaseRead>): Promise<LayersRead & { scanThreads: number }> {
  // The secret engine runs on worker threads beside the read (gunzip, sha256, tar) when the bundle has them.
  const pool = openScanPool()
  try {
    return { ...(await readLayersWith(facts, local, base, pool)), scanThreads: pool?.threads ?? 0 }
  } finally {
    await pool?.close()
  }
}

interface LayersRead {
  archive: ScannedImage
  source: ImageSecretReport['source']
  diffIds: string[]
  sameAsBase: ReadonlySet<number>
  sent?: SentImage
}

async function readLayersWith(
  facts: VerifyFacts,
  localImage: Promise<LocalImage>,
  baseRead: Promise<BaseRead>,
  pool: ScanPool | undefined
): Promise<LayersRead> {
  try {
    const keepDir = facts.keepSent ? await mkdtemp(path.join(facts.workDir, 'sent-')) : undefined
    const read = await scanThroughLoopback(facts.image, {
      baseBlobs: baseRead.then(base => base.blobs ?? new Map<string, number>()),
      spoolDir: facts.workDir,
      timeoutMs: LOOPBACK_TIMEOUT_MS,
      ...(keepDir ? { keepDir } : {}),
      ...(pool ? { pool } : {}),
      ...(facts.scannedClean ? { clean: facts.scannedClean } : {}),
      ...(facts.deferRemoval ? { deferRemoval: facts.deferRemoval } : {})
    })
    const [local, base] = await Promise.all([localImage, baseRead])
    const mismatch = diffIdMismatch(local.diffIds, read.diffIds)
    if (mismatch !== undefined) throw new UserError(`The engine pushed an image other than ${facts.image} to the loopback registry (${mismatch}).`)
    // A base layer the engine holds under another blob than the registry's (built locally, or recompressed) was
    // sent and read: like the old save layout's, its results are dropped.
    for (const index of [...read.layers.keys()].filter(index => index < base.layers)) {
      read.layers.delete(index)
      read.sizes.delete(index)
      read.compressed.delete(index)
      read.skippedBase++
    }
    return { archive: read, source: 'loopback', diffIds: read.diffIds, sameAsBase: read.notSent, ...(read.sent ? { sent: read.sent } : {}) }
  } catch (thrown) {
    if (!(thrown instanceof LoopbackUnreachable)) throw thrown
    core.info(`Reading the whole image with docker save instead: ${thrown.message} (a Docker engine not on this host's loopback).`)
  }
  const [local, base] = await Promise.all([localImage, baseRead])
  const archive = await scanSaveArchive(saveImage(facts.image), {
    imageId: local.id,
    diffIds: local.diffIds,
    baseLayers: base.layers,
    ...(base.blobs ? { baseBlobs: new Set(base.blobs.keys()) } : {}),
    spoolDir: facts.workDir,
    estimateCompressed: true,
    ...(pool ? { pool } : {}),
    ...(facts.scannedClean ? { clean: facts.scannedClean } : {})
  })
  return { archive, source: 'docker save', diffIds: local.diffIds, sameAsBase: new Set() }
}

/** The engine's push to the loopback registry: the custom layers only, at disk speed. */
const LOOPBACK_TIMEOUT_MS = 30 * 60_000

/** The agent-server base's config and blobs from its registry, or why there are none (never rejects). */
async function readBase(registries: RunRegistries, reference: string | undefined): Promise<ImageConfigResult | { unknown: string }> {
  if (!reference) return { unknown: 'no agent-server base was resolved' }
  const parsed = parseImageReference(reference)
  if (!parsed) return { unknown: `'${reference}' is not an image reference` }
  try {
    return await registries.client(parsed.registry).getImageConfig(parsed.repository, parsed.digest ?? parsed.tag ?? 'latest')
  } catch (thrown) {
    // Only more to scan (the build itself pulled the base, perhaps with credentials this step does not have).
    core.notice(`Could not read the base ${reference} to tell its layers apart, so every layer is scanned: ${describeError(thrown)}`)
    return { unknown: describeError(thrown) }
  }
}

/** The base's layers (a prefix of the image's `diffIds`), Env, Labels and blobs; none when unread or not a prefix. Pure. */
export function baseFacts(read: ImageConfigResult | { unknown: string }, reference: string | undefined, diffIds: readonly string[]): BaseRead {
  const none = (unknown: string): BaseRead => ({ layers: 0, env: [], labels: {}, unknown })
  if ('unknown' in read) return none(read.unknown)
  const baseIds = read.config.diffIds ?? []
  let layers = 0
  while (layers < baseIds.length && baseIds[layers] === diffIds[layers]) layers++
  if (layers < baseIds.length) return none(`the image's first layers are not ${reference ?? 'the base'}'s, so every layer was scanned`)
  // The registry's (compressed) blobs: what an engine pushing the image asks about, and the names Docker's
  // containerd image store saves them under.
  const blobs = new Map((read.layers ?? []).map(layer => [layer.digest, layer.size]))
  return { layers, env: read.config.Env ?? [], labels: read.config.Labels ?? {}, blobs }
}

/** Token-shaped strings in installed third-party packages: public already, so notices (the first 10 annotated). Like the context scan, they stay out of SARIF. */
function reportNotices(notices: readonly ImageSecretFinding[], file: string, dockerfile: string, history: readonly HistoryEntry[] | undefined): void {
  for (const notice of notices.slice(0, MAX_NOTICES)) {
    const line = findingLine(dockerfile, notice, history)
    core.notice(noticeMessage(notice), { file, ...(line === undefined ? {} : { startLine: line }) })
  }
  if (notices.length > MAX_NOTICES) {
    core.notice(`${notices.length - MAX_NOTICES} more finding(s) in installed packages in the image, not failing (scan-installed-packages: notice).`)
  }
}

const MAX_NOTICES = 10

/** One notice's text: the rule, the redacted hint, the file in the image, its package and layer. */
export function noticeMessage(notice: ImageSecretFinding): string {
  return (
    `${notice.description}: ${notice.hint} in file ${notice.where}${notice.layer === undefined ? '' : `, layer ${notice.layer}`}, ` +
    `in installed package ${notice.package ?? 'unknown'} (made by ${notice.instruction}); not failing: scan-installed-packages is notice.`
  )
}

function asAnnotation(finding: ImageSecretFinding, inputs: VerifySettings, line: number | undefined, severity: Finding['severity']): Finding {
  const layer = finding.layer === undefined ? '' : `, layer ${finding.layer}`
  const deleted = finding.deletedBy
    ? ` It was deleted by layer ${finding.deletedBy.layer} (${finding.deletedBy.instruction}), but the layer that added it still ships with the image.`
    : ''
  const where = finding.source === 'layer' ? `file ${finding.where}` : `the image config's ${finding.where}`
  return {
    check: `image-secret/${finding.rule}`,
    severity,
    message:
      `${finding.description}: ${finding.hint} in ${where}${layer} (made by ${finding.instruction}).${deleted} ` +
      'Anyone who pulls the image can read it: rotate it, and pass it with the secrets or secret-files input and RUN --mount=type=secret ' +
      `instead of a build arg, ENV or a copied file. If it is not a secret, add its fingerprint ${finding.fingerprint} to the scan ignore file.`,
    file: inputs.file,
    ...(line === undefined ? {} : { line })
  }
}
