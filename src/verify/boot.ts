/**
 * The boot check: the image is started the way OHE's runtime starts a sandbox (command
 * `/usr/local/bin/openhands-agent-server --port <port>`, UID/GID 10001, a session API key in
 * OH_SESSION_API_KEYS_0), then `/alive` and `/health` are polled until a deadline and `/server_info`'s
 * `sdk_version` is compared with the target agent-server version. The container is always removed.
 */
import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import path from 'node:path'
import { runDocker } from '../buildx/docker.js'
import { describeError } from '../errors.js'
import { VERIFY_STATE } from './state.js'

export const SERVER = '/usr/local/bin/openhands-agent-server'
export const SANDBOX_USER = '10001:10001'
const LOG_LINES = 30
const POLL_MS = 500
const PROBE_TIMEOUT_MS = 2000

export type Probe = '/alive' | '/health' | '/server_info'

/** The started, healthy sandbox, as the verify flow may use it before the container is removed. */
export interface BootedSandbox {
  /** http://127.0.0.1:<port>, published on loopback only. */
  baseUrl: string
  /** The session key the server was started with; /api/* needs it as X-Session-API-Key. Masked in the log. */
  sessionKey: string
  container: { id: string; name: string }
  user: { uid: number; gid: number; fsGroup: number }
  workingDir: string
  /** The environment the sandbox was given, without the session key. */
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
  /** Seconds from `docker run` until /alive and /health both answered 200. */
  secondsToHealthy?: number
  sdkVersion?: string
  /** The probe that failed, and why; absent when the check passed. */
  failedProbe?: Probe | 'start' | 'sandbox'
  problem?: string
  /** The container's last log lines, redacted; only after a failure. */
  logTail?: string[]
}

/** The `docker run` arguments, as OHE's runtime starts the image (Kubernetes `command:` replaces the entrypoint). Pure. */
export function bootRunArgs(image: string, name: string, port: number, envFile: string): string[] {
  return [
    'run',
    '--detach',
    '--name',
    name,
    '--platform',
    'linux/amd64',
    '--user',
    SANDBOX_USER,
    '--env-file',
    envFile,
    '--publish',
    `127.0.0.1:${port}:${port}`,
    '--entrypoint',
    SERVER,
    image,
    '--port',
    String(port)
  ]
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
  timeoutSeconds: number
  /** Private temp dir for the env file. */
  workDir: string
  /** Redacts the log tail (known secret values, detected tokens). */
  redact: (text: string) => string
  /** Runs in the healthy sandbox before it is removed; a thrown error fails the check at 'sandbox'. */
  afterHealthy?: (sandbox: BootedSandbox) => Promise<void>
}

export async function bootCheck(options: BootOptions): Promise<BootReport> {
  const unable = await engineRunsAmd64()
  if (unable !== undefined) {
    core.notice(`Boot check skipped: ${unable}.`)
    return { ran: false, skipped: unable, ok: true }
  }
  const name = `ohe-verify-${randomBytes(6).toString('hex')}`
  const key = randomBytes(24).toString('hex')
  core.setSecret(key)
  const envFile = path.join(options.workDir, `${name}.env`)
  await writeFile(envFile, `OH_SESSION_API_KEYS_0=${key}\n`, { mode: 0o600 })
  const port = await freePort()
  core.saveState(VERIFY_STATE.container, name)
  const started = Date.now()
  try {
    core.info(`Starting ${options.image} as OHE does: ${SERVER} --port ${port}, user ${SANDBOX_USER}, published on 127.0.0.1:${port}`)
    const run = await runDocker(bootRunArgs(options.image, name, port, envFile), { silent: true })
    if (run.exitCode !== 0) {
      return await failed(name, options, 'start', `docker run failed: ${options.redact(run.stderr.slice(-5).join(' '))}`)
    }
    const deadline = started + options.timeoutSeconds * 1000
    const base = `http://127.0.0.1:${port}`
    const headers = { 'X-Session-API-Key': key }
    for (const probe of ['/alive', '/health'] as const) {
      let last = 'no answer yet'
      for (;;) {
        const answer = await get(`${base}${probe}`, headers)
        if (answer.status === 200) break
        last = answer.status > 0 ? `HTTP ${answer.status}` : answer.error
        const state = await containerState(name)
        if (state !== undefined) {
          return await failed(name, options, probe, `the container ${state} before ${probe} answered 200 (last: ${last})`)
        }
        if (Date.now() + POLL_MS > deadline) {
          return await failed(name, options, probe, `${probe} did not answer 200 within ${options.timeoutSeconds} s (boot-timeout; last: ${last})`)
        }
        await sleep(POLL_MS)
      }
    }
    const healthyAt = Date.now()
    const secondsToHealthy = Math.round((healthyAt - started) / 100) / 10
    const info = await get(`${base}/server_info`, headers)
    if (info.status !== 200) {
      return await failed(name, options, '/server_info', `/server_info answered ${info.status > 0 ? `HTTP ${info.status}` : info.error}`, secondsToHealthy)
    }
    const sdkVersion = sdkVersionOf(info.body)
    const mismatch = sdkMismatch(sdkVersion, options.target)
    if (mismatch !== undefined) return await failed(name, options, '/server_info', mismatch, secondsToHealthy, sdkVersion)
    core.info(`Healthy after ${secondsToHealthy} s; sdk_version ${sdkVersion ?? '?'} matches ${options.target}.`)
    if (options.afterHealthy) {
      const [uid, gid] = SANDBOX_USER.split(':').map(Number)
      const sandbox: BootedSandbox = {
        baseUrl: base,
        sessionKey: key,
        container: { id: run.stdout.trim(), name },
        user: { uid: uid ?? 10001, gid: gid ?? 10001, fsGroup: gid ?? 10001 },
        workingDir: await workingDirOf(name),
        environment: {},
        startedAt: started,
        healthyAt
      }
      try {
        await options.afterHealthy(sandbox)
      } catch (thrown) {
        return await failed(name, options, 'sandbox', options.redact(describeError(thrown)), secondsToHealthy, sdkVersion)
      }
    }
    return { ran: true, ok: true, secondsToHealthy, ...(sdkVersion === undefined ? {} : { sdkVersion }) }
  } finally {
    await removeContainer(name)
    core.saveState(VERIFY_STATE.container, '')
  }
}

async function failed(
  name: string,
  options: BootOptions,
  probe: NonNullable<BootReport['failedProbe']>,
  problem: string,
  secondsToHealthy?: number,
  sdkVersion?: string
): Promise<BootReport> {
  const logs = await runDocker(['logs', '--tail', String(LOG_LINES), name], { silent: true })
  const lines = [...logs.stdout.split(/\r?\n/), ...logs.stderr]
    .filter(line => line.trim() !== '')
    .slice(-LOG_LINES)
    .map(line => options.redact(line))
  return {
    ran: true,
    ok: false,
    failedProbe: probe,
    problem,
    logTail: lines,
    ...(secondsToHealthy === undefined ? {} : { secondsToHealthy }),
    ...(sdkVersion === undefined ? {} : { sdkVersion })
  }
}

/** The container's working directory (the image's WORKDIR), or / when it has none. */
async function workingDirOf(name: string): Promise<string> {
  const inspect = await runDocker(['inspect', '--format', '{{.Config.WorkingDir}}', name], { silent: true })
  return inspect.exitCode === 0 && inspect.stdout.trim() !== '' ? inspect.stdout.trim() : '/'
}

/** `exited (code 3)` when the container is no longer running; undefined while it runs. */
async function containerState(name: string): Promise<string | undefined> {
  const inspect = await runDocker(['inspect', '--format', '{{.State.Running}} {{.State.ExitCode}}', name], { silent: true })
  if (inspect.exitCode !== 0) return 'disappeared'
  const [running, code] = inspect.stdout.trim().split(' ')
  return running === 'true' ? undefined : `exited (code ${code ?? '?'})`
}

/** Removes the container; also called by the post step with the name saved in the state. */
export async function removeContainer(name: string): Promise<void> {
  if (!/^ohe-verify-[0-9a-f]+$/.test(name)) return
  const run = await runDocker(['rm', '--force', '--volumes', name], { silent: true })
  if (run.exitCode !== 0 && !run.stderr.some(line => /No such container/i.test(line))) {
    core.warning(`Could not remove the boot-check container ${name}: ${run.stderr.at(-1) ?? run.exitCode}`)
  }
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

async function get(url: string, headers: Record<string, string>): Promise<{ status: number; body: string; error: string }> {
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) })
    const body = (await res.text()).slice(0, 64 * 1024)
    return { status: res.status, body, error: '' }
  } catch (thrown) {
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
