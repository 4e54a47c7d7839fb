import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { describeError } from '../errors.js'
import { dockerEnvironment } from '../child-env.js'
import { forgetChild, rememberChild } from './children.js'

/** How many stderr lines a run keeps for its error message; a long build prints far more, the cause comes last. */
const KEPT_LINES = 400
/** `docker login`: the daemon and the registry answer in seconds, or they hang. */
export const LOGIN_TIMEOUT_MS = 60_000
/** `docker logout`, `docker --version`, `docker buildx version`. */
export const SHORT_TIMEOUT_MS = 30_000
/** Between SIGTERM to the process group and SIGKILL. */
const KILL_GRACE_MS = 5_000

export interface DockerRun {
  exitCode: number
  /** The last stderr lines (buildx writes its progress and errors there). */
  stderr: string[]
  /** All of stdout, for the short commands whose answer is printed there. */
  stdout: string
  /** Set when the run was killed: its deadline passed, or it printed nothing new for the stall time. */
  killed?: { reason: 'deadline' | 'stall'; afterMs: number; lastLine?: string }
}

/** Runs one docker command; runDocker in the action, a fake in in-process tests. */
export type DockerCommand = (args: string[], options?: DockerOptions) => Promise<DockerRun>

export interface DockerOptions {
  /** Written to docker's stdin (the password for `login --password-stdin`, a tar for `cp -`), never placed in argv or the log. */
  input?: string | Buffer
  /** Keep the output out of the log (probes). */
  silent?: boolean
  /** The command line to log instead of args (build-arg values left out). */
  shown?: string[]
  /** Applied to the output before it is logged (build-arg values BuildKit prints in RUN lines). */
  redact?: (text: string) => string
  /** Kill the whole process group after this long. None when undefined or 0. */
  timeoutMs?: number
  /** Kill the whole process group when no output line is new for this long (progress lines differing only in their elapsed time do not count). */
  stallMs?: number
  /** The watchdog starts only once a line matches (e.g. the push step), so a long silent RUN is not a stall. */
  stallFrom?: RegExp
  /** Each whole line of output (stdout and stderr) as it comes: a step can act on the build's progress. */
  onLine?: (line: string) => void
}

/**
 * Runs `docker <args>` directly (an argv array, no shell) in a process group of its own, streaming its output into
 * the log (with workflow commands stopped, so nothing docker prints can act as one) and keeping the tail of stderr.
 * On a deadline or a stall the whole group (docker, buildx, helpers) is killed. Never throws for docker's own
 * failures: a missing docker binary comes back as exit code 127 with the reason as the stderr line, so every
 * failure takes the same path to a message.
 */
export function runDocker(args: string[], options: DockerOptions = {}): Promise<DockerRun> {
  return runTool('docker', args, options, dockerEnvironment())
}

/** runDocker for another tool of the runner (cosign), with the environment it is given. */
export function runTool(file: string, args: string[], options: DockerOptions, env: Record<string, string>): Promise<DockerRun> {
  const stderr: string[] = []
  let stdout = ''
  const silent = options.silent ?? false
  return new Promise(resolve => {
    let child: ReturnType<typeof spawn>
    try {
      child = spawn(file, args, { env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] })
    } catch (thrown) {
      resolve({ exitCode: 127, stderr: [describeError(thrown)], stdout })
      return
    }
    const pid = child.pid
    if (pid !== undefined) rememberChild(pid)
    const resume = silent ? undefined : stopCommands()
    if (!silent) process.stdout.write(`[command]${file} ${(options.shown ?? args).join(' ')}\n`)

    const started = Date.now()
    let killed: DockerRun['killed']
    let lastLine: string | undefined
    const seen = new Set<string>()
    let lastProgress = Date.now()
    let armed = options.stallFrom === undefined
    const kill = (reason: 'deadline' | 'stall'): void => {
      if (killed !== undefined || pid === undefined) return
      killed = { reason, afterMs: Date.now() - started, ...(lastLine !== undefined ? { lastLine } : {}) }
      killGroup(pid, 'SIGTERM')
      setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS).unref()
    }
    const timers: NodeJS.Timeout[] = []
    if (options.timeoutMs) timers.push(setTimeout(() => kill('deadline'), options.timeoutMs))
    if (options.stallMs) {
      const stallMs = options.stallMs
      timers.push(
        setInterval(
          () => {
            if (armed && Date.now() - lastProgress >= stallMs) kill('stall')
          },
          Math.min(1000, Math.max(50, Math.floor(stallMs / 4)))
        )
      )
    }

    const progress = (line: string): void => {
      if (line.trim() === '') return
      lastLine = line
      if (!armed && options.stallFrom?.test(line)) armed = true
      const key = progressKey(line)
      if (seen.has(key)) return
      if (seen.size > 20_000) seen.clear()
      seen.add(key)
      lastProgress = Date.now()
    }
    let atLineStart = true
    const lines = (onLine: (line: string) => void): ((chunk: Buffer) => void) => {
      let rest = ''
      return chunk => {
        if (!silent && chunk.length > 0) {
          process.stdout.write(options.redact ? options.redact(chunk.toString()) : chunk)
          atLineStart = chunk[chunk.length - 1] === 0x0a
        }
        rest += chunk.toString()
        const parts = rest.split(/\r?\n|\r/)
        rest = parts.pop() ?? ''
        for (const line of parts) onLine(line)
        // A line still being written (a progress bar) counts as progress when its bytes change.
        if (rest !== '') progress(rest)
      }
    }
    child.stdout?.on(
      'data',
      lines(line => {
        progress(line)
        options.onLine?.(line)
      })
    )
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr?.on(
      'data',
      lines(line => {
        progress(line)
        options.onLine?.(line)
        stderr.push(line)
        if (stderr.length > KEPT_LINES) stderr.shift()
      })
    )
    child.stdin?.on('error', () => undefined)
    child.stdin?.end(options.input === undefined ? undefined : Buffer.isBuffer(options.input) ? options.input : Buffer.from(options.input))

    let spawnError: unknown
    child.on('error', thrown => {
      spawnError = thrown
    })
    child.on('close', (code, signal) => {
      for (const timer of timers) clearTimeout(timer)
      // Whatever the group left behind (a plugin's child) goes with it.
      if (pid !== undefined && killed !== undefined) killGroup(pid, 'SIGKILL')
      // The resume line must start a line of its own to be read as one.
      if (!silent && !atLineStart) process.stdout.write('\n')
      resume?.()
      if (pid !== undefined) forgetChild(pid)
      if (spawnError !== undefined) {
        const missing = (spawnError as { code?: unknown }).code === 'ENOENT'
        // The same words as @actions/exec, so a missing docker is recognised wherever it is explained.
        const reason = missing
          ? `Unable to locate executable file: ${file}. Please verify either the file path exists or the file can be found within a directory specified by the PATH environment variable. Also check the file mode to verify the file is executable.`
          : describeError(spawnError)
        resolve({ exitCode: 127, stderr: [...stderr, reason], stdout })
        return
      }
      const exitCode = code ?? (signal ? 128 + (signalNumber(signal) ?? 1) : 1)
      resolve({ exitCode, stderr, stdout, ...(killed !== undefined ? { killed } : {}) })
    })
  })
}

/**
 * A progress line's identity: without elapsed times (`3.2s`), so a line buildx repeats while nothing moves is not
 * progress, and with byte counts, so `1.2MB / 5MB` -> `1.3MB / 5MB` is.
 */
export function progressKey(line: string): string {
  return line
    .replace(/\b\d+(?:\.\d+)?s\b/g, '')
    .replace(/\s+/g, ' ')
    .trim()
}

/** Sends `signal` to the process group `pid` leads; a group already gone is fine. */
export function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal)
    return true
  } catch {
    return false
  }
}

/** `::stop-commands::<token>` now; the returned function resumes them. */
function stopCommands(): () => void {
  const token = randomBytes(16).toString('hex')
  process.stdout.write(`::stop-commands::${token}\n`)
  return () => {
    process.stdout.write(`::${token}::\n`)
  }
}

function signalNumber(signal: NodeJS.Signals): number | undefined {
  return ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal]
}

/**
 * `docker login <registry> --username <user> --password-stdin`. The password goes through stdin only. Docker Hub
 * takes no server argument: the CLI's default server is Hub's own address.
 */
export function dockerLogin(
  registry: string,
  username: string,
  password: string,
  docker: DockerCommand = runDocker,
  timeoutMs: number = LOGIN_TIMEOUT_MS
): Promise<DockerRun> {
  return docker(['login', ...serverArgument(registry), '--username', username, '--password-stdin'], { input: password, timeoutMs })
}

export function dockerLogout(registry: string): Promise<DockerRun> {
  return runDocker(['logout', ...serverArgument(registry)], { timeoutMs: SHORT_TIMEOUT_MS })
}

/** The docker CLI is installed (the daemon may be elsewhere or absent: a remote builder needs none). */
export async function dockerAvailable(): Promise<boolean> {
  return (await runDocker(['--version'], { silent: true, timeoutMs: SHORT_TIMEOUT_MS })).exitCode === 0
}

/** A Docker engine answers: an image can be loaded into it and run (a remote builder needs none). */
export async function engineAvailable(): Promise<boolean> {
  return (await runDocker(['info', '--format', '{{.ServerVersion}}'], { silent: true, timeoutMs: SHORT_TIMEOUT_MS })).exitCode === 0
}

/** The buildx plugin answers. */
export async function buildxAvailable(): Promise<boolean> {
  return (await runDocker(['buildx', 'version'], { silent: true, timeoutMs: SHORT_TIMEOUT_MS })).exitCode === 0
}

function serverArgument(registry: string): string[] {
  return registry === 'docker.io' || registry === 'index.docker.io' || registry === '' ? [] : [registry]
}

/** "3 s", "2 min 5 s": how long a killed command ran, for messages. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000)
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  const rest = seconds % 60
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`
}
