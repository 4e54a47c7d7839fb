/**
 * The boot check: the image is started as the release's runtime spec starts a sandbox (release/runtime-spec.ts):
 * its command replacing the entrypoint, its user and group with the fs group added, a fresh empty /workspace volume
 * owned by the fs group, its working directory and environment, a session key, a CA bundle where the CA variables
 * point, the sandbox's memory and CPU limits, its port published on loopback only. It is probed as the runtime
 * probes it: `/server_info` must answer each probe within 1 s, until boot-timeout; then `/alive` and `/health`.
 * The booted sandbox is handed to `afterHealthy` (commands run in it) before the container is removed; it is always
 * removed, also by the post step.
 */
import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { copyFile, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { runDocker } from '../buildx/docker.js'
import { describeError } from '../errors.js'
import { BUILT_IN_SPEC, CA_VARIABLES, describeSpecSource, type RuntimeSpec, type RuntimeSpecSource } from '../release/runtime-spec.js'
import { formatCpus, formatMemory, parseCpuQuantity, parseMemoryQuantity, type Parsed } from './quantity.js'
import { VERIFY_STATE } from './state.js'

/** The sandbox's own volume, mounted over the image's /workspace (runtime-api; see shared facts). */
export const WORKSPACE = '/workspace'
/** The runtime's startup probe: after 5 s, every 10 s, up to 30 failures, 1 s timeout each (the SDK's Kubernetes workspace). */
export const STARTUP_PROBE = { initialDelaySeconds: 5, periodSeconds: 10, failureThreshold: 30, timeoutMs: 1000 } as const
/** What the startup probe allows in all: 5 s + 30 x 10 s. */
export const STARTUP_ALLOWANCE_SECONDS = STARTUP_PROBE.initialDelaySeconds + STARTUP_PROBE.failureThreshold * STARTUP_PROBE.periodSeconds
/** The liveness probe's timeout, used for /alive and /health. */
const LIVENESS_TIMEOUT_MS = 10_000
const LOG_LINES = 30
/** Faster than the runtime's 10 s period, so a healthy image is not kept waiting; each probe keeps the 1 s timeout. */
const POLL_MS = 250
/** Where runners keep the system CA bundle: the sandbox gets it where the spec's CA variables point. */
const SYSTEM_CA_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem']

export type Probe = '/alive' | '/health' | '/server_info'

/** The started, healthy sandbox, as the verify flow may use it before the container is removed. */
export interface BootedSandbox {
  /** http://127.0.0.1:<port>, published on loopback only. */
  baseUrl: string
  /** The session key the server was started with; /api/* needs it as X-Session-API-Key. Masked in the log. */
  sessionKey: string
  container: { id: string; name: string }
  /** The runtime user: uid and gid, and the fs group it has as a supplementary group. */
  user: { uid: number; gid: number; fsGroup: number }
  workingDir: string
  /** The spec's environment as the sandbox got it (outside URLs empty), without the session key. */
  environment: Readonly<Record<string, string>>
  /** Epoch milliseconds: `docker run` started it, and /health answered 200. */
  startedAt: number
  healthyAt: number
}

export interface BootReport {
  /** false: skipped (no engine that runs linux/amd64), with the reason. */
  ran: boolean
  skipped?: string
  ok: boolean
  /** Where the runtime spec came from, as the summary says it. */
  specSource?: string
  /** The limits it ran under. */
  memoryLimit?: number
  cpus?: number
  /** Seconds from `docker run` until /server_info, /alive and /health all answered 200. */
  secondsToHealthy?: number
  /** The container's peak memory in bytes (its cgroup), or its usage at the end (docker stats) when the cgroup is not readable. */
  peakMemory?: number
  peakMemorySource?: 'cgroup' | 'docker stats'
  /** The kernel killed a process of the sandbox for going over the memory limit. */
  oomKilled?: boolean
  sdkVersion?: string
  /** The probe that failed, and why; absent when the check passed. */
  failedProbe?: Probe | 'start' | 'memory' | 'sandbox'
  problem?: string
  /** The container's last log lines, redacted; only after a failure. */
  logTail?: string[]
}

export interface BootRun {
  image: string
  name: string
  hostPort: number
  envFile: string
  /** The CA bundle file on the engine's host, mounted at each of `caTargets`. */
  caFile: string
  spec: RuntimeSpec
  memoryBytes: number
  cpus: number
}

/** The paths the spec's CA variables name (absolute ones, each once). Pure. */
export function caTargets(environment: Readonly<Record<string, string>>): string[] {
  const targets = CA_VARIABLES.map(name => environment[name] ?? '').filter(value => value.startsWith('/'))
  return [...new Set(targets)]
}

/** The env file: the spec's environment and the session key. Values are single lines (the chart's are). Pure. */
export function envFileText(environment: Readonly<Record<string, string>>, sessionKey: string): string {
  const lines = Object.entries(environment)
    .filter(([name]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && name !== 'OH_SESSION_API_KEYS_0')
    .map(([name, value]) => `${name}=${value.replace(/[\r\n]+/g, ' ')}`)
  return [...lines, `OH_SESSION_API_KEYS_0=${sessionKey}`, ''].join('\n')
}

/**
 * The `--mount` of the fresh /workspace: a tmpfs volume, empty, root-owned, the fs group's with setgid (as fsGroup
 * leaves a volume), made by `docker run` itself (one docker command fewer than a `volume create` first). It is named,
 * so `docker rm --volumes` keeps it: removeContainer removes it. volume-nocopy: a Kubernetes volume does not copy the
 * image's /workspace in; Docker's would. The option holding commas is quoted, as the mount's CSV syntax wants. Pure.
 */
export function workspaceMount(name: string, fsGroup: number): string {
  const options = ['volume-driver=local', 'volume-opt=type=tmpfs', 'volume-opt=device=tmpfs', `"volume-opt=o=uid=0,gid=${fsGroup},mode=2775"`]
  return [`type=volume,source=${name},target=${WORKSPACE},volume-nocopy`, ...options].join(',')
}

/**
 * The folders from /workspace down to the working directory, as a tar for `docker cp -` into the fresh volume: the
 * runtime user's, in the fs group, group-writable with setgid. Without them the engine creates the working directory
 * root-owned and 0755 inside the volume, where the agent (and a `prepare-*` helper) could not write. Pure.
 */
export function workingDirTar(workingDir: string, uid: number, gid: number, mtime = 0): Buffer | undefined {
  const relative = path.posix.relative(WORKSPACE, path.posix.normalize(workingDir))
  if (relative === '' || relative.startsWith('..') || path.posix.isAbsolute(relative)) return undefined
  const parts = relative.split('/')
  const blocks = parts.map((_, i) => tarDirHeader(`${parts.slice(0, i + 1).join('/')}/`, uid, gid, 0o2775, mtime))
  return Buffer.concat([...blocks, Buffer.alloc(1024)])
}

/** One ustar header for a directory (no body). */
function tarDirHeader(name: string, uid: number, gid: number, mode: number, mtime: number): Buffer {
  const header = Buffer.alloc(512)
  const field = (offset: number, length: number, text: string): void => void header.write(text, offset, length, 'ascii')
  const octal = (offset: number, length: number, value: number): void => field(offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`)
  field(0, 100, name)
  octal(100, 8, mode)
  octal(108, 8, uid)
  octal(116, 8, gid)
  octal(124, 12, 0)
  octal(136, 12, mtime)
  header.fill(' ', 148, 156)
  field(156, 1, '5')
  field(257, 6, 'ustar\0')
  field(263, 2, '00')
  let sum = 0
  for (const byte of header) sum += byte
  field(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `)
  return header
}

/** The `docker run` arguments, as the runtime spec starts the image (Kubernetes `command:` replaces the entrypoint). Pure. */
export function bootRunArgs(run: BootRun): string[] {
  const { spec } = run
  const [command = '', ...args] = spec.command
  const bytes = String(run.memoryBytes)
  return [
    'run',
    '--detach',
    '--name',
    run.name,
    '--platform',
    'linux/amd64',
    '--entrypoint',
    command,
    '--user',
    `${spec.runAsUser}:${spec.runAsGroup}`,
    '--group-add',
    String(spec.fsGroup),
    '--mount',
    workspaceMount(run.name, spec.fsGroup),
    ...caTargets(spec.environment).flatMap(target => ['--mount', `type=bind,source=${run.caFile},target=${target},readonly`]),
    '--workdir',
    spec.workingDir,
    '--env-file',
    run.envFile,
    // No swap: a Kubernetes node has none, so the limit is the memory there is.
    '--memory',
    bytes,
    '--memory-swap',
    bytes,
    '--cpus',
    String(run.cpus),
    '--publish',
    `127.0.0.1:${run.hostPort}:${spec.port}`,
    run.image,
    ...args
  ]
}

/** The CPUs docker can give: no more than the engine's host has (docker refuses more). Pure. */
export function effectiveCpus(requested: number, available: number): number {
  return available > 0 && requested > available ? available : requested
}

/** Whether `sdk_version` has the target's major.minor; a message saying what differs otherwise. Pure. */
export function sdkMismatch(sdkVersion: string | undefined, target: string): string | undefined {
  const want = /^v?(\d+)\.(\d+)/.exec(target)
  if (!want) return undefined
  if (sdkVersion === undefined) return `/server_info has no sdk_version; OHE compares it with its own (${want[1]}.${want[2]})`
  const got = /^v?(\d+)\.(\d+)/.exec(sdkVersion)
  if (!got) return `/server_info reports sdk_version '${sdkVersion}', not a version`
  if (got[1] !== want[1] || got[2] !== want[2]) {
    return (
      `/server_info reports sdk_version ${sdkVersion}, but the target agent-server is ${target}: OHE refuses a sandbox whose ` +
      `SDK major.minor differs (${got[1]}.${got[2]} vs ${want[1]}.${want[2]}). Do not replace or upgrade the agent server in the image`
    )
  }
  return undefined
}

/** `docker info`: the engine runs linux containers on x86_64, or why not. */
export async function engineRunsAmd64(): Promise<string | undefined> {
  const info = await runDocker(['info', '--format', '{{.OSType}}/{{.Architecture}}'], { silent: true })
  if (info.exitCode !== 0) return `no Docker engine answers (${info.stderr.at(-1) ?? `exit code ${info.exitCode}`})`
  const platform = info.stdout.trim()
  if (platform === 'linux/x86_64' || platform === 'linux/amd64') return undefined
  return `the Docker engine is ${platform}, not linux/amd64`
}

export interface BootOptions {
  image: string
  /** The target agent-server version, e.g. 1.23.0. */
  target: string
  /** The release's runtime spec (limits already resolved into memoryBytes and cpus) and where it came from. */
  spec: RuntimeSpec
  specSource: RuntimeSpecSource
  memoryBytes: number
  cpus: number
  /** Seconds until /server_info must have answered (boot-timeout). */
  timeoutSeconds: number
  /** Private temp dir for the env file and the CA bundle. */
  workDir: string
  /** Redacts the log tail (known secret values, detected tokens). */
  redact: (text: string) => string
  /** Runs in the healthy sandbox before it is removed; a thrown error fails the check at 'sandbox'. */
  afterHealthy?: (sandbox: BootedSandbox) => Promise<void>
  /** engineRunsAmd64's answer when it was asked earlier (beside the layer read), so the check does not wait for it. */
  platform?: Promise<string | undefined>
  /**
   * Takes the removal of the container and its volume, which then goes on while the run does (the push) instead of
   * before the report; whoever takes it awaits it before removing the image. Without it the check awaits the removal.
   */
  deferRemoval?: (removed: Promise<void>) => void
}

export async function bootCheck(options: BootOptions): Promise<BootReport> {
  const unable = await (options.platform ?? engineRunsAmd64())
  if (unable !== undefined) {
    core.notice(`Boot check skipped: ${unable}.`)
    return { ran: false, skipped: unable, ok: true }
  }
  const { spec } = options
  const name = `ohe-verify-${randomBytes(6).toString('hex')}`
  const key = randomBytes(24).toString('hex')
  core.setSecret(key)
  const envFile = path.join(options.workDir, `${name}.env`)
  const caFile = path.join(options.workDir, `${name}-ca-bundle.crt`)
  const cpus = effectiveCpus(options.cpus, os.cpus().length)
  const [hostPort] = await Promise.all([
    freePort(),
    writeFile(envFile, envFileText(spec.environment, key), { mode: 0o600 }),
    caTargets(spec.environment).length > 0 ? writeCaBundle(caFile) : undefined
  ])
  const shown = {
    specSource: describeSpecSource(options.specSource),
    memoryLimit: options.memoryBytes,
    cpus
  }
  core.saveState(VERIFY_STATE.container, name)
  const started = Date.now()
  try {
    core.info(
      `Starting ${options.image} (container ${name}) as the runtime spec of ${shown.specSource} does: ${spec.command.join(' ')} as ${spec.runAsUser}:${spec.runAsGroup} ` +
        `(fs group ${spec.fsGroup}), an empty ${WORKSPACE} volume, working dir ${spec.workingDir}, ${Object.keys(spec.environment).length} variable(s), ` +
        `memory ${formatMemory(options.memoryBytes)}, ${formatCpus(cpus)}${cpus < options.cpus ? ` (the engine has only ${cpus})` : ''}, port ${spec.port} on 127.0.0.1:${hostPort}`
    )
    const run = await runDocker(bootRunArgs({ image: options.image, name, hostPort, envFile, caFile, spec, memoryBytes: options.memoryBytes, cpus }), {
      silent: true
    })
    if (run.exitCode !== 0) {
      return await failed(name, options, shown, 'start', `docker run failed: ${options.redact(run.stderr.slice(-5).join(' '))}`)
    }
    // The process id (for its cgroup) is only needed for the peak memory: asked beside the rest, not before it.
    const pid = containerPid(name).catch(() => undefined)
    // A tmpfs volume holds content only while mounted, so the working directory is made once the container runs
    // (without --archive, docker cp keeps the tar's owners).
    const folders = workingDirTar(spec.workingDir, spec.runAsUser, spec.fsGroup, Math.floor(Date.now() / 1000))
    if (folders) {
      const copied = await runDocker(['cp', '-', `${name}:${WORKSPACE}`], { silent: true, input: folders })
      if (copied.exitCode !== 0) {
        return await failed(name, options, shown, 'start', `making ${spec.workingDir} writable failed: ${copied.stderr.slice(-3).join(' ')}`)
      }
    }
    const id = run.stdout.trim()
    const deadline = started + options.timeoutSeconds * 1000
    const baseUrl = `http://127.0.0.1:${hostPort}`
    const headers = { 'X-Session-API-Key': key }
    const peak = async (): Promise<Pick<BootReport, 'peakMemory' | 'peakMemorySource'>> => peakMemory(name, id, await pid)

    // The startup probe: each /server_info must answer within 1 s; polled until boot-timeout.
    let info = await get(`${baseUrl}/server_info`, headers, STARTUP_PROBE.timeoutMs)
    while (info.status !== 200) {
      const last = info.status > 0 ? `HTTP ${info.status}` : info.error
      const state = await containerState(name)
      if (state !== undefined) return await exited(name, options, shown, state, '/server_info', last)
      if (Date.now() + POLL_MS > deadline) {
        return await failed(
          name,
          options,
          { ...shown, ...(await peak()) },
          '/server_info',
          `/server_info did not answer 200 within the startup probe's 1 s timeout before boot-timeout (${options.timeoutSeconds} s; last: ${last})`
        )
      }
      await sleep(POLL_MS)
      info = await get(`${baseUrl}/server_info`, headers, STARTUP_PROBE.timeoutMs)
    }
    for (const probe of ['/alive', '/health'] as const) {
      for (;;) {
        const answer = await get(`${baseUrl}${probe}`, headers, LIVENESS_TIMEOUT_MS)
        if (answer.status === 200) break
        const last = answer.status > 0 ? `HTTP ${answer.status}` : answer.error
        const state = await containerState(name)
        if (state !== undefined) return await exited(name, options, shown, state, probe, last)
        if (Date.now() + POLL_MS > deadline) {
          return await failed(
            name,
            options,
            { ...shown, ...(await peak()) },
            probe,
            `${probe} did not answer 200 within boot-timeout (${options.timeoutSeconds} s; last: ${last})`
          )
        }
        await sleep(POLL_MS)
      }
    }
    const healthyAt = Date.now()
    const secondsToHealthy = Math.round((healthyAt - started) / 100) / 10
    const sdkVersion = sdkVersionOf(info.body)
    const versioned = { ...shown, secondsToHealthy, ...(sdkVersion === undefined ? {} : { sdkVersion }) }
    const mismatch = sdkMismatch(sdkVersion, options.target)
    if (mismatch !== undefined) return await failed(name, options, versioned, '/server_info', mismatch)
    core.info(`Healthy after ${secondsToHealthy} s; sdk_version ${sdkVersion ?? '?'} matches ${options.target}.`)

    if (options.afterHealthy) {
      const sandbox: BootedSandbox = {
        baseUrl,
        sessionKey: key,
        container: { id, name },
        user: { uid: spec.runAsUser, gid: spec.runAsGroup, fsGroup: spec.fsGroup },
        workingDir: spec.workingDir,
        environment: { ...spec.environment },
        startedAt: started,
        healthyAt
      }
      try {
        await options.afterHealthy(sandbox)
      } catch (thrown) {
        return await failed(name, options, { ...versioned, ...(await peak()) }, 'sandbox', options.redact(describeError(thrown)))
      }
    }
    const [memory, oom] = await Promise.all([peak(), oomKilled(name)])
    const measured = { ...versioned, ...memory }
    if (oom) {
      return await failed(name, options, { ...measured, oomKilled: true }, 'memory', outOfMemory(options.memoryBytes, 'a process of the sandbox was killed'))
    }
    if (memory.peakMemory !== undefined) {
      core.info(`Peak memory ${formatMemory(memory.peakMemory)} of the ${formatMemory(options.memoryBytes)} limit (${memory.peakMemorySource ?? ''}).`)
    }
    return { ran: true, ok: true, ...measured }
  } finally {
    // The post step removes the container if the run ends before this does.
    const removed = removeContainer(name).then(
      () => core.saveState(VERIFY_STATE.container, ''),
      (thrown: unknown) =>
        core.warning(
          `Could not remove the boot-check container ${name} (${describeError(thrown)}); the post step tries again, or remove it with docker rm --force --volumes ${name}`
        )
    )
    if (options.deferRemoval) options.deferRemoval(removed)
    else await removed
  }
}

/** The message for an out-of-memory kill: what happened, the limit, and where the limit is set. Pure. */
export function outOfMemory(limit: number, what: string): string {
  return (
    `out of memory: ${what} by the kernel for going over the sandbox's memory limit of ${formatMemory(limit)}. ` +
    "OHE gives every sandbox this limit (the Admin Console's Sandbox Memory Limit, or sandbox-memory here): make the image need less at start, or raise both"
  )
}

type Shown = Omit<BootReport, 'ran' | 'ok'>

async function exited(name: string, options: BootOptions, shown: Shown, state: ContainerState, probe: Probe, last: string): Promise<BootReport> {
  if (state.oomKilled) {
    return await failed(
      name,
      options,
      { ...shown, oomKilled: true },
      'memory',
      outOfMemory(options.memoryBytes, `the server was killed (exit code ${state.exitCode})`)
    )
  }
  return await failed(name, options, shown, probe, `the container ${state.text} before ${probe} answered 200 (last: ${last})`)
}

async function failed(name: string, options: BootOptions, shown: Shown, probe: NonNullable<BootReport['failedProbe']>, problem: string): Promise<BootReport> {
  const logs = await runDocker(['logs', '--tail', String(LOG_LINES), name], { silent: true })
  const lines = [...logs.stdout.split(/\r?\n/), ...logs.stderr]
    .filter(line => line.trim() !== '')
    .slice(-LOG_LINES)
    .map(line => options.redact(line))
  return { ran: true, ok: false, ...shown, failedProbe: probe, problem, logTail: lines }
}

interface ContainerState {
  text: string
  exitCode: string
  oomKilled: boolean
}

/** `exited (code 3)` when the container is no longer running; undefined while it runs. */
async function containerState(name: string): Promise<ContainerState | undefined> {
  const inspect = await runDocker(['inspect', '--format', '{{.State.Running}} {{.State.ExitCode}} {{.State.OOMKilled}}', name], { silent: true })
  if (inspect.exitCode !== 0) return { text: 'disappeared', exitCode: '?', oomKilled: false }
  const [running, code = '?', oom] = inspect.stdout.trim().split(' ')
  return running === 'true' ? undefined : { text: `exited (code ${code})`, exitCode: code, oomKilled: oom === 'true' }
}

async function oomKilled(name: string): Promise<boolean> {
  const inspect = await runDocker(['inspect', '--format', '{{.State.OOMKilled}}', name], { silent: true })
  return inspect.exitCode === 0 && inspect.stdout.trim() === 'true'
}

async function containerPid(name: string): Promise<number | undefined> {
  const inspect = await runDocker(['inspect', '--format', '{{.State.Pid}}', name], { silent: true })
  const pid = Number(inspect.stdout.trim())
  return inspect.exitCode === 0 && pid > 0 ? pid : undefined
}

/**
 * The files that hold a container's peak memory, from its process's /proc/<pid>/cgroup (cgroup v1 `memory:` line or
 * the v2 unified line) and then the usual places of the cgroupfs and systemd drivers. Pure.
 */
export function peakMemoryFiles(procCgroup: string, id: string): string[] {
  const files: string[] = []
  for (const line of procCgroup.split('\n')) {
    const [, controllers, where] = /^\d+:([^:]*):(\/.*)$/.exec(line.trim()) ?? []
    if (where === undefined) continue
    if ((controllers ?? '').split(',').includes('memory')) files.push(`/sys/fs/cgroup/memory${where}/memory.max_usage_in_bytes`)
    if (controllers === '') files.push(`/sys/fs/cgroup${where === '/' ? '' : where}/memory.peak`)
  }
  if (/^[0-9a-f]{64}$/.test(id)) {
    files.push(
      `/sys/fs/cgroup/memory/docker/${id}/memory.max_usage_in_bytes`,
      `/sys/fs/cgroup/system.slice/docker-${id}.scope/memory.peak`,
      `/sys/fs/cgroup/docker/${id}/memory.peak`
    )
  }
  return files
}

async function peakMemory(name: string, id: string, pid: number | undefined): Promise<Pick<BootReport, 'peakMemory' | 'peakMemorySource'>> {
  const proc = pid === undefined ? '' : await readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => '')
  for (const file of peakMemoryFiles(proc, id)) {
    const value = Number((await readFile(file, 'utf8').catch(() => '')).trim())
    if (Number.isFinite(value) && value > 0) return { peakMemory: value, peakMemorySource: 'cgroup' }
  }
  // Not on this host's cgroups (a remote engine): the usage now, from the engine.
  const stats = await runDocker(['stats', '--no-stream', '--format', '{{.MemUsage}}', name], { silent: true })
  const usage = stats.exitCode === 0 ? dockerStatsBytes(stats.stdout) : undefined
  return usage === undefined ? {} : { peakMemory: usage, peakMemorySource: 'docker stats' }
}

/** `12.5MiB / 64MiB` -> 13107200. Pure. */
export function dockerStatsBytes(text: string): number | undefined {
  const match = /^\s*([\d.]+)\s*([kKMGT]?i?B)\b/.exec(text)
  if (!match) return undefined
  const units: Record<string, number> = { B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 }
  const factor = units[match[2] ?? '']
  return factor === undefined ? undefined : Math.round(Number(match[1]) * factor)
}

/** The runner's CA bundle, copied where the engine can mount it; an empty bundle when the runner has none. */
async function writeCaBundle(file: string): Promise<void> {
  for (const candidate of SYSTEM_CA_BUNDLES) {
    try {
      await copyFile(candidate, file)
      return
    } catch {
      // the next place
    }
  }
  await writeFile(file, '# no system CA bundle on the runner\n', { mode: 0o644 })
}

/** Removes the container and its /workspace volume; also called by the post step with the name saved in the state. */
export async function removeContainer(name: string): Promise<void> {
  if (!/^ohe-verify-[0-9a-f]+$/.test(name)) return
  const run = await runDocker(['rm', '--force', '--volumes', name], { silent: true })
  if (run.exitCode !== 0 && !run.stderr.some(line => /No such container/i.test(line))) {
    core.warning(
      `Could not remove the boot-check container ${name} (${run.stderr.at(-1) ?? run.exitCode}); on a self-hosted runner remove it with docker rm --force ${name}`
    )
  }
  const volume = await runDocker(['volume', 'rm', '--force', name], { silent: true })
  if (volume.exitCode !== 0)
    core.warning(
      `Could not remove the boot-check volume ${name} (${volume.stderr.at(-1) ?? volume.exitCode}); on a self-hosted runner remove it with docker volume rm ${name}`
    )
}

function sdkVersionOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as unknown
    const value = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).sdk_version : undefined
    return typeof value === 'string' ? value : undefined
  } catch {
    return undefined
  }
}

async function get(url: string, headers: Record<string, string>, timeoutMs: number): Promise<{ status: number; body: string; error: string }> {
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) })
    const body = (await res.text()).slice(0, 64 * 1024)
    return { status: res.status, body, error: '' }
  } catch (thrown) {
    const name = (thrown as { name?: unknown }).name
    if (name === 'TimeoutError' || name === 'AbortError') return { status: 0, body: '', error: `no answer within ${timeoutMs / 1000} s` }
    const cause = (thrown as { cause?: { code?: string } }).cause?.code
    return { status: 0, body: '', error: cause ?? describeError(thrown) }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

/**
 * The limits the sandbox runs under: the inputs when given (users copy their Admin Console values), else the spec's
 * (the release's defaults), else the built-in ones when the release wrote something that is not a quantity. Pure.
 */
export function sandboxLimits(
  spec: Pick<RuntimeSpec, 'memoryLimit' | 'cpuLimit'>,
  inputs: { memory?: number; cpus?: number }
): { memoryBytes: number; cpus: number } {
  const value = <T>(parsed: Parsed<T>, fallback: Parsed<T>): T => ('value' in parsed ? parsed.value : (fallback as { value: T }).value)
  return {
    memoryBytes: inputs.memory ?? value(parseMemoryQuantity(spec.memoryLimit, 'memory'), parseMemoryQuantity(BUILT_IN_SPEC.memoryLimit, 'memory')),
    cpus: inputs.cpus ?? value(parseCpuQuantity(spec.cpuLimit, 'cpu'), parseCpuQuantity(BUILT_IN_SPEC.cpuLimit, 'cpu'))
  }
}
