import * as exec from '@actions/exec'
import { describeError } from '../errors.js'

/** How many stderr lines a run keeps for its error message; a long build prints far more, the cause comes last. */
const KEPT_LINES = 400

export interface DockerRun {
  exitCode: number
  /** The last stderr lines (buildx writes its progress and errors there). */
  stderr: string[]
  /** All of stdout, for the short commands whose answer is printed there. */
  stdout: string
}

/** Runs one docker command; runDocker in the action, a fake in in-process tests. */
export type DockerCommand = (args: string[], options?: DockerOptions) => Promise<DockerRun>

export interface DockerOptions {
  /** Written to docker's stdin (the password for `login --password-stdin`), never placed in argv or the log. */
  input?: string
  /** Keep the output out of the log (probes). */
  silent?: boolean
  /** The command line to show instead of args (values left out); the output is still streamed to the log. */
  shown?: string[]
  /** With `shown`: applied to each output line before it is logged (build-arg values BuildKit prints in RUN lines). */
  redact?: (line: string) => string
}

/**
 * Runs `docker <args>` directly (an argv array, no shell), streaming its output into the log and keeping the tail
 * of stderr. Never throws for docker's own failures: a missing docker binary comes back as exit code 127 with the
 * reason as the stderr line, so every failure takes the same path to a message.
 */
export async function runDocker(args: string[], options: DockerOptions = {}): Promise<DockerRun> {
  const stderr: string[] = []
  let stdout = ''
  const shown = options.shown
  const redact = options.redact ?? ((line: string): string => line)
  if (shown) process.stdout.write(`[command]docker ${shown.join(' ')}\n`)
  try {
    const exitCode = await exec.exec('docker', args, {
      // This process's environment as it is now (DOCKER_CONFIG, DOCKER_HOST, BUILDX_BUILDER …), stated explicitly
      // so that an embedding host that swaps process.env (jest does) still hands it to docker.
      env: currentEnv(),
      ignoreReturnCode: true,
      silent: (options.silent ?? false) || shown !== undefined,
      ...(options.input !== undefined ? { input: Buffer.from(options.input) } : {}),
      listeners: {
        stdout: data => {
          stdout += data.toString()
        },
        stdline: line => {
          if (shown && !options.silent) process.stdout.write(`${redact(line)}\n`)
        },
        errline: line => {
          if (shown && !options.silent) process.stdout.write(`${redact(line)}\n`)
          stderr.push(line)
          if (stderr.length > KEPT_LINES) stderr.shift()
        }
      }
    })
    return { exitCode, stderr, stdout }
  } catch (thrown) {
    // @actions/exec throws before spawning when docker is not on PATH ("Unable to locate executable file: docker").
    return { exitCode: 127, stderr: [...stderr, describeError(thrown)], stdout }
  }
}

/**
 * `docker login <registry> --username <user> --password-stdin`. The password goes through stdin only. Docker Hub
 * takes no server argument: the CLI's default server is Hub's own address.
 */
export function dockerLogin(registry: string, username: string, password: string, docker: DockerCommand = runDocker): Promise<DockerRun> {
  return docker(['login', ...serverArgument(registry), '--username', username, '--password-stdin'], { input: password })
}

export function dockerLogout(registry: string): Promise<DockerRun> {
  return runDocker(['logout', ...serverArgument(registry)])
}

/** The docker CLI is installed (the daemon may be elsewhere or absent: a remote builder needs none). */
export async function dockerAvailable(): Promise<boolean> {
  return (await runDocker(['--version'], { silent: true })).exitCode === 0
}

/** A Docker engine answers: an image can be loaded into it and run (a remote builder needs none). */
export async function engineAvailable(): Promise<boolean> {
  return (await runDocker(['info', '--format', '{{.ServerVersion}}'], { silent: true })).exitCode === 0
}

/** The buildx plugin answers. */
export async function buildxAvailable(): Promise<boolean> {
  return (await runDocker(['buildx', 'version'], { silent: true })).exitCode === 0
}

function currentEnv(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value
  return env
}

function serverArgument(registry: string): string[] {
  return registry === 'docker.io' || registry === 'index.docker.io' || registry === '' ? [] : [registry]
}
