/**
 * How an OHE release starts a sandbox, read from its own chart (OpenHands/OpenHands-Cloud at `openhands/X.Y.Z`):
 * the warm-runtime spec `warmRuntimes.configsByName.default` (command, working_dir, environment, run_as_user,
 * run_as_group, fs_group) and the Admin Console's sandbox limits. Pure: file texts in, a spec out; reading them is
 * github.ts's job, and the built-in spec below stands in when they cannot be read.
 *
 * Values layer as Helm merges them: the runtime-api chart's defaults, then the Replicated HelmChart's values
 * (`spec.values.runtime-api…`, which OHE installs run), whose `global.agentServerEnv` (the CA variables) the chart
 * mirrors into every warm-runtime entry.
 */
import { parse } from 'yaml'
import { CONFIG_FILE } from './map.js'

export const RUNTIME_VALUES_FILE = 'charts/openhands/charts/runtime-api/values.yaml'
export const REPLICATED_CHART_FILE = 'replicated/openhands.yaml'

export interface RuntimeSpec {
  /** Replaces the image's ENTRYPOINT (Kubernetes `command:`), e.g. [/usr/local/bin/openhands-agent-server, --port, 60000]. */
  command: string[]
  /** The server's port: `--port` in the command. */
  port: number
  workingDir: string
  /** As the sandbox gets it, values that point outside the cluster (templates, URLs) left empty. */
  environment: Record<string, string>
  runAsUser: number
  runAsGroup: number
  fsGroup: number
  /** Kubernetes quantities, e.g. 2048Mi and 1000m. */
  memoryLimit: string
  cpuLimit: string
}

/** Where the spec came from, for the log and the summary. */
export type RuntimeSpecSource = { kind: 'release'; release: string; files: readonly string[] } | { kind: 'built-in'; release: string; reason: string }

/** The release the built-in spec was recorded from. */
export const BUILT_IN_RELEASE = '0.50.0'

const CA_BUNDLE = '/etc/openhands/ca-bundle/ca-bundle.crt'

/**
 * Recorded from OpenHands/OpenHands-Cloud at tag openhands/0.50.0: charts/openhands/charts/runtime-api/values.yaml
 * (warmRuntimes.configsByName.default), replicated/openhands.yaml (its warm-runtime block and global.agentServerEnv,
 * the CA variables) and replicated/config.yaml (sandbox_memory_limit, sandbox_cpu_limit defaults).
 */
export const BUILT_IN_SPEC: Readonly<RuntimeSpec> = Object.freeze({
  command: ['/usr/local/bin/openhands-agent-server', '--port', '60000'],
  port: 60000,
  workingDir: '/workspace/project',
  environment: {
    CURL_CA_BUNDLE: CA_BUNDLE,
    GIT_SSL_CAINFO: CA_BUNDLE,
    LMNR_BASE_URL: '',
    LMNR_FORCE_HTTP: '',
    LMNR_HTTP_PORT: '',
    LMNR_PROJECT_API_KEY: '',
    LOG_JSON: '1',
    LOG_JSON_LEVEL_KEY: 'severity',
    NODE_EXTRA_CA_CERTS: CA_BUNDLE,
    OH_ALLOW_CORS_ORIGINS_0: '',
    OH_BASH_EVENTS_DIR: '/workspace/bash_events',
    OH_CONVERSATIONS_PATH: '/workspace/conversations',
    OH_ENABLE_VNC: '0',
    OH_VSCODE_PORT: '60001',
    OH_WEBHOOKS_0_BASE_URL: '',
    OPENVSCODE_SERVER_ROOT: '/openhands/.openvscode-server',
    REQUESTS_CA_BUNDLE: CA_BUNDLE,
    SSL_CERT_FILE: CA_BUNDLE,
    VSCODE_PORT: '60001',
    WORKER_1: '12000',
    WORKER_2: '12001'
  },
  runAsUser: 10001,
  runAsGroup: 10001,
  fsGroup: 10001,
  memoryLimit: '2048Mi',
  cpuLimit: '1000m'
})

/** The variables that name a CA bundle file: the boot mounts one where they point. */
export const CA_VARIABLES = ['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'GIT_SSL_CAINFO', 'CURL_CA_BUNDLE', 'NODE_EXTRA_CA_CERTS'] as const

export interface SpecFiles {
  /** charts/openhands/charts/runtime-api/values.yaml */
  runtimeValues?: string
  /** replicated/openhands.yaml */
  replicatedChart?: string
  /** replicated/config.yaml */
  config?: string
}

export interface ReadSpec {
  spec: RuntimeSpec
  /** The files the warm spec was read from; empty when none had it (then the built-in spec is used). */
  warmFrom: string[]
  /** Whether config.yaml gave the limits' defaults. */
  limitsFromConfig: boolean
}

/** The spec at one release, each part from the files that have it and from the built-in spec otherwise. */
export function runtimeSpecFromFiles(files: SpecFiles): ReadSpec {
  const chart = files.runtimeValues === undefined ? undefined : defaultEntry(field(parseYaml(files.runtimeValues), 'warmRuntimes'))
  const replicatedValues = field(field(parseYaml(files.replicatedChart ?? ''), 'spec'), 'values')
  const replicated = defaultEntry(field(field(replicatedValues, 'runtime-api'), 'warmRuntimes'))
  const mirrored = stringMap(field(field(replicatedValues, 'global'), 'agentServerEnv'))
  const warmFrom = [chart && RUNTIME_VALUES_FILE, replicated && REPLICATED_CHART_FILE].filter((file): file is string => file !== undefined)
  const limits = files.config === undefined ? {} : limitsFrom(files.config)
  const limitsFromConfig = limits.memoryLimit !== undefined || limits.cpuLimit !== undefined
  const base: RuntimeSpec = { ...BUILT_IN_SPEC, environment: { ...BUILT_IN_SPEC.environment }, ...limits }
  if (warmFrom.length === 0) return { spec: base, warmFrom, limitsFromConfig }

  const entry = { ...chart, ...replicated }
  const environment = { ...stringMap(field(chart, 'environment')), ...(replicated ? mirrored : {}), ...stringMap(field(replicated, 'environment')) }
  const command = stringList(field(entry, 'command')) ?? base.command
  const spec: RuntimeSpec = {
    command,
    port: portOf(command) ?? base.port,
    workingDir: text(field(entry, 'working_dir')) ?? base.workingDir,
    environment: Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, insideValue(value)])),
    runAsUser: id(field(entry, 'run_as_user')) ?? base.runAsUser,
    runAsGroup: id(field(entry, 'run_as_group')) ?? base.runAsGroup,
    fsGroup: id(field(entry, 'fs_group')) ?? base.fsGroup,
    memoryLimit: base.memoryLimit,
    cpuLimit: base.cpuLimit
  }
  return { spec, warmFrom, limitsFromConfig }
}

/** The defaults of the sandbox_memory_limit and sandbox_cpu_limit options of a KOTS Config. */
export function limitsFrom(configText: string): Partial<Pick<RuntimeSpec, 'memoryLimit' | 'cpuLimit'>> {
  const groups = field(field(parseYaml(configText), 'spec'), 'groups')
  const found: Partial<Pick<RuntimeSpec, 'memoryLimit' | 'cpuLimit'>> = {}
  if (!Array.isArray(groups)) return found
  for (const item of groups.flatMap(group => asArray(field(group, 'items')))) {
    const value = text(field(item, 'default'))
    if (value === undefined) continue
    if (field(item, 'name') === 'sandbox_memory_limit') found.memoryLimit = value
    if (field(item, 'name') === 'sandbox_cpu_limit') found.cpuLimit = value
  }
  return found
}

/** One line for the log and the summary: `release 0.50.0 (…)` or `built-in from openhands/0.50.0 (why)`. */
export function describeSpecSource(source: RuntimeSpecSource): string {
  return source.kind === 'release' ? `release ${source.release} (${source.files.join(', ')})` : `built-in from openhands/${source.release} (${source.reason})`
}

/** The files a spec is read from at a release. */
export const SPEC_FILES = { runtimeValues: RUNTIME_VALUES_FILE, replicatedChart: REPLICATED_CHART_FILE, config: CONFIG_FILE } as const

/** The spec a run uses, and where it came from. */
export interface ResolvedRuntime {
  spec: RuntimeSpec
  source: RuntimeSpecSource
}

/** The built-in spec, with why the release's own was not read. */
export function builtInRuntime(reason: string): ResolvedRuntime {
  return {
    spec: { ...BUILT_IN_SPEC, command: [...BUILT_IN_SPEC.command], environment: { ...BUILT_IN_SPEC.environment } },
    source: { kind: 'built-in', release: BUILT_IN_RELEASE, reason }
  }
}

/** What one release's files say, as a ResolvedRuntime: the release's spec, or the built-in one saying what was missing. */
export function runtimeFromFiles(release: string, files: SpecFiles): ResolvedRuntime {
  const read = runtimeSpecFromFiles(files)
  if (read.warmFrom.length > 0) {
    const used = read.limitsFromConfig ? [...read.warmFrom, CONFIG_FILE] : read.warmFrom
    return { spec: read.spec, source: { kind: 'release', release, files: used } }
  }
  const limits = read.limitsFromConfig ? `; limits from its ${CONFIG_FILE}` : ''
  return {
    spec: read.spec,
    source: { kind: 'built-in', release: BUILT_IN_RELEASE, reason: `openhands/${release} has no warmRuntimes.configsByName.default${limits}` }
  }
}

/**
 * A value the sandbox could use on a runner: a Replicated template (`{{repl …}}`, `repl{{ … }}`) is an Admin Console
 * setting and a URL points at the OHE installation (webhooks, CORS origin, Laminar), so both are left empty.
 */
function insideValue(value: string): string {
  return /\{\{|repl\{\{|:\/\//.test(value) ? '' : value
}

/** The `default` warm-runtime entry: the legacy `configs` list wins when it is not empty, as the chart says. */
function defaultEntry(warm: unknown): Record<string, unknown> | undefined {
  const list = asArray(field(warm, 'configs'))
  if (list.length > 0) {
    const named = list.find(entry => field(entry, 'name') === 'default') ?? list[0]
    return isMap(named) ? named : undefined
  }
  const entry = field(field(warm, 'configsByName'), 'default')
  return isMap(entry) ? entry : undefined
}

function portOf(command: readonly string[]): number | undefined {
  for (let i = 0; i < command.length; i++) {
    const word = command[i] ?? ''
    const value = word === '--port' ? command[i + 1] : word.startsWith('--port=') ? word.slice('--port='.length) : undefined
    if (value !== undefined && /^\d{1,5}$/.test(value) && Number(value) > 0 && Number(value) < 65536) return Number(value)
  }
  return undefined
}

function parseYaml(source: string): unknown {
  try {
    return parse(source, { maxAliasCount: -1 })
  } catch {
    return undefined
  }
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function field(value: unknown, name: string): unknown {
  return isMap(value) ? value[name] : undefined
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}

function text(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined
  const shown = String(value).trim()
  return shown === '' ? undefined : shown
}

function id(value: unknown): number | undefined {
  const shown = text(value)
  return shown !== undefined && /^\d+$/.test(shown) ? Number(shown) : undefined
}

function stringList(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined
  const words = value.map(word => text(word))
  return words.every((word): word is string => word !== undefined) ? words : undefined
}

function stringMap(value: unknown): Record<string, string> {
  if (!isMap(value)) return {}
  const result: Record<string, string> = {}
  for (const [name, entry] of Object.entries(value)) {
    if (typeof entry === 'string' || typeof entry === 'number' || typeof entry === 'boolean') result[name] = String(entry)
    else if (entry === null) result[name] = ''
  }
  return result
}
