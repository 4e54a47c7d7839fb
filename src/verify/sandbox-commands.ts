/**
 * Runs `sandbox-commands` in the booted sandbox, in order, the way the agent runs commands: through the
 * agent-server's command API (agent-commands.ts). Only when the server has no such route (404, 405, 501) does it fall back to
 * `docker exec` as the runtime user, in the working directory, with the spec's environment, and the report says
 * so. The first failing command ends the run: later ones (a `*-verify` after its `prepare-*`) would only fail
 * for the same reason. The docker process gets the minimal child environment (child-env.ts): no registry
 * credentials and no action input reach a command.
 */
import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { runDocker } from '../buildx/docker.js'
import { escapeWorkflowCommands } from '../input-text.js'
import { runThroughApi, type CommandApi } from './agent-commands.js'
import { appendLines, outputTail, passed, shownCommand, timedOut, TAIL_LINES, type CommandOutcome, type CommandProgress } from './sandbox-command-core.js'

/** What the runs need of the booted sandbox. */
export interface CommandSandbox extends CommandApi {
  /** The running container's name, for the fallback. */
  container: string
  /** `uid:gid` the runtime runs the server as. */
  user: string
  /** The runtime's working directory, e.g. /workspace/project. */
  workingDir: string
  /** The runtime spec's environment (the session key variables are never passed to a command by the fallback). */
  env: Record<string, string>
}

export interface CommandsReport {
  /** How the commands ran: the agent-server's command API, or docker exec when the server has no such route. */
  via: 'agent-server' | 'docker exec'
  /** Why the fallback was taken. */
  fallback?: string
  outcomes: CommandOutcome[]
  /** Commands not run because an earlier one failed. */
  skipped: string[]
}

export interface CommandOptions {
  timeoutMs: number
  /** Applied to every output line and problem shown (known secret values, detected tokens). */
  redact: (text: string) => string
  /** Poll interval of the API (tests lower it). */
  pollMs?: number
}

export async function runSandboxCommands(sandbox: CommandSandbox, commands: readonly string[], options: CommandOptions): Promise<CommandsReport> {
  const report: CommandsReport = { via: 'agent-server', outcomes: [], skipped: [] }
  const redact = (text: string): string => options.redact(text.split(sandbox.sessionKey).join('***'))
  for (const [index, command] of commands.entries()) {
    core.info(escapeWorkflowCommands(`Sandbox command ${index + 1}/${commands.length}: ${redact(shownCommand(command))}`))
    let outcome: CommandOutcome | undefined
    if (report.via === 'agent-server') {
      const run = await runThroughApi(sandbox, command, options.timeoutMs, options.pollMs)
      if (run === 'absent') {
        report.via = 'docker exec'
        report.fallback = 'the agent-server has no command API (POST /api/bash/start_bash_command: no such route)'
        core.warning(
          `The agent-server in the image has no command API (POST /api/bash/start_bash_command: no such route), so sandbox-commands run through docker exec as ${sandbox.user} ` +
            `in ${sandbox.workingDir} with the runtime's environment instead. The agent runs its commands through that API: check the base image.`
        )
      } else {
        outcome = toOutcome(command, run.progress, run.seconds, options.timeoutMs, redact, run.problem)
      }
    }
    if (outcome === undefined) {
      const run = await runThroughDockerExec(sandbox, command, options.timeoutMs)
      outcome = toOutcome(command, run.progress, run.seconds, options.timeoutMs, redact, run.problem)
    }
    // Shown in the log, the summary and the comment: a command line may quote a value the redaction knows.
    outcome.command = redact(command)
    report.outcomes.push(outcome)
    logOutcome(outcome)
    if (!passed(outcome)) {
      report.skipped = commands.slice(index + 1).map(redact)
      break
    }
  }
  return report
}

function toOutcome(
  command: string,
  progress: CommandProgress,
  seconds: number,
  timeoutMs: number,
  redact: (text: string) => string,
  problem: string | undefined
): CommandOutcome {
  const late = timedOut(progress.exitCode, seconds, timeoutMs / 1000)
  return {
    command,
    ...(progress.exitCode === undefined ? {} : { exitCode: progress.exitCode }),
    timedOut: late,
    seconds,
    tail: outputTail(progress.stdout, progress.stderr, redact),
    ...(problem === undefined ? {} : { problem: redact(problem) })
  }
}

function logOutcome(outcome: CommandOutcome): void {
  const result = outcome.timedOut
    ? `killed at its deadline (sandbox-command-timeout) after ${outcome.seconds} s`
    : outcome.problem
      ? `failed: ${outcome.problem}`
      : `exit code ${outcome.exitCode ?? '?'} in ${outcome.seconds} s`
  const log = passed(outcome) ? core.info : core.error
  // Output the image printed must not act as a workflow command (::add-mask::, ::set-output::).
  log(escapeWorkflowCommands(`${shownCommand(outcome.command)}: ${result}`))
  if (outcome.tail.length > 0) core.info(escapeWorkflowCommands(outcome.tail.map(line => `  | ${line}`).join('\n')))
}

/** The shell that runs each fallback command: records its pid (its process group) for the kill, drops the session key. */
const WRAPPER = 'echo $$ > "$0" 2>/dev/null; unset SESSION_API_KEY OH_SESSION_API_KEYS_0; exec /bin/sh -c "$1"'
/** Between SIGTERM to the command's process group and SIGKILL, as the agent-server waits. */
const KILL_GRACE_SECONDS = 1

/** The `docker exec` arguments of one fallback command. Pure. */
export function dockerExecArgs(sandbox: CommandSandbox, command: string, pidFile: string): string[] {
  const env = Object.entries(sandbox.env)
    .filter(([name]) => name !== 'SESSION_API_KEY' && !name.startsWith('OH_SESSION_API_KEYS_'))
    .flatMap(([name, value]) => ['--env', `${name}=${value}`])
  return ['exec', '--user', sandbox.user, '--workdir', sandbox.workingDir, ...env, sandbox.container, '/bin/sh', '-c', WRAPPER, pidFile, command]
}

async function runThroughDockerExec(
  sandbox: CommandSandbox,
  command: string,
  timeoutMs: number
): Promise<{ progress: CommandProgress; seconds: number; problem?: string }> {
  const pidFile = `/tmp/.ohe-sandbox-command-${randomBytes(4).toString('hex')}.pid`
  const started = Date.now()
  const run = await runDocker(dockerExecArgs(sandbox, command, pidFile), { silent: true, timeoutMs })
  const seconds = Math.round((Date.now() - started) / 100) / 10
  if (run.killed) {
    // Killing docker exec leaves the command running in the container: its process group is killed there.
    const kill = `p=$(cat "${pidFile}") || exit 0; kill -TERM -- "-$p" 2>/dev/null; sleep ${KILL_GRACE_SECONDS}; kill -KILL -- "-$p" 2>/dev/null; true`
    await runDocker(['exec', '--user', sandbox.user, sandbox.container, '/bin/sh', '-c', kill], { silent: true, timeoutMs: 30_000 })
  }
  const progress: CommandProgress = {
    lastOrder: 0,
    stdout: appendLines([], run.stdout, TAIL_LINES),
    stderr: appendLines([], run.stderr.join('\n'), TAIL_LINES),
    ...(run.killed ? { exitCode: -1 } : { exitCode: run.exitCode })
  }
  // docker exec answers 126/127 itself when the container or the shell is missing.
  const problem = !run.killed && run.exitCode !== 0 && isDockerFailure(run.stderr) ? `docker exec failed: ${run.stderr.at(-1) ?? ''}` : undefined
  return { progress, seconds, ...(problem === undefined ? {} : { problem }) }
}

function isDockerFailure(stderr: readonly string[]): boolean {
  return stderr.some(line => /^Error response from daemon|^Error: No such container|OCI runtime exec failed/.test(line))
}
