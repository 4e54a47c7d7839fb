/**
 * The sandbox commands inside the verify phase: a hook the boot check calls once the sandbox is healthy (before the
 * container is removed), and the judgement afterwards: each failing command and a readiness above
 * max-ready-seconds become an annotation and a problem (nothing is pushed), and the helpers the image ships are
 * suggested when no command was given.
 */
import * as core from '@actions/core'
import type { Finding } from '../findings.js'
import type { Helper } from './helpers.js'
import { commandFailure, readinessProblem, readySeconds, passed } from './sandbox-command-core.js'
import { runSandboxCommands, type CommandsReport } from './sandbox-commands.js'

/** The settings it reads, named as in action.yml. */
export interface SandboxSettings {
  'sandbox-commands': readonly string[]
  /** ms */
  'sandbox-command-timeout': number
  'max-ready-seconds'?: number
}

/** What the boot check hands over of the healthy sandbox (boot.ts's BootedSandbox). */
export interface HealthySandbox {
  baseUrl: string
  sessionKey: string
  container: { name: string }
  user: { uid: number; gid: number }
  workingDir: string
  environment: Readonly<Record<string, string>>
}

export interface SandboxHook {
  /** Given to the boot check; undefined when there is nothing to run. */
  afterHealthy?: (sandbox: HealthySandbox) => Promise<void>
  /** The commands' report once the hook ran. */
  report(): CommandsReport | undefined
}

export function sandboxHook(settings: SandboxSettings, redact: (text: string) => string, pollMs?: number): SandboxHook {
  let report: CommandsReport | undefined
  const commands = settings['sandbox-commands']
  if (commands.length === 0) return { report: () => undefined }
  return {
    afterHealthy: async sandbox => {
      report = await core.group('Verify: run sandbox-commands in the booted sandbox', () =>
        runSandboxCommands(
          {
            baseUrl: sandbox.baseUrl,
            sessionKey: sandbox.sessionKey,
            container: sandbox.container.name,
            user: `${sandbox.user.uid}:${sandbox.user.gid}`,
            workingDir: sandbox.workingDir,
            env: { ...sandbox.environment }
          },
          commands,
          { timeoutMs: settings['sandbox-command-timeout'], redact, ...(pollMs === undefined ? {} : { pollMs }) }
        )
      )
    },
    report: () => report
  }
}

export interface SandboxJudgement {
  findings: Finding[]
  problems: string[]
  /** Set when the sandbox got healthy and every command passed. */
  readySeconds?: number
}

/**
 * Findings and problems of the commands and of readiness. `secondsToHealthy` is undefined when the boot did not get
 * there (then nothing ran and there is no readiness). Pure, but for the notice that suggests the helpers.
 */
export function judgeSandbox(
  settings: SandboxSettings,
  secondsToHealthy: number | undefined,
  commands: CommandsReport | undefined,
  helpers: readonly Helper[],
  file: string
): SandboxJudgement {
  const findings: Finding[] = []
  const problems: string[] = []
  if (settings['sandbox-commands'].length === 0 && helpers.length > 0) {
    core.notice(
      `The image ships helper(s) ${helpers.map(helper => helper.name).join(', ')}: set sandbox-commands to run them in the booted sandbox as the agent ` +
        'would (UID 10001, /workspace/project on an empty volume), so one that fails there fails here instead of on the first task.',
      { file }
    )
  }
  for (const outcome of commands?.outcomes ?? []) {
    const failure = commandFailure(outcome)
    if (failure === undefined) continue
    const tail = outcome.tail.length > 0 ? ` Last output lines (redacted):\n${outcome.tail.join('\n')}` : ' It printed nothing.'
    findings.push({
      check: 'verify/sandbox-command',
      severity: 'error',
      message:
        `${failure[0]?.toUpperCase() ?? ''}${failure.slice(1)}. It ran as the agent runs commands: as the runtime user, in the working directory, ` +
        'on an empty /workspace volume (what the image bakes under /workspace is hidden); write only under /workspace, /tmp or the home ' +
        `of UID 10001, and bake read-only content under /opt.${tail}`,
      file
    })
    problems.push(failure)
  }
  const allPassed = (commands?.outcomes ?? []).every(passed) && (settings['sandbox-commands'].length === 0 || commands !== undefined)
  if (secondsToHealthy === undefined || !allPassed) return { findings, problems }
  const ready = readySeconds(secondsToHealthy, commands?.outcomes ?? [])
  const slow = readinessProblem(ready, settings['max-ready-seconds'])
  if (slow !== undefined) {
    findings.push({
      check: 'verify/ready',
      severity: 'error',
      message:
        `The sandbox took ${ready} s to be ready for a task: ${secondsToHealthy} s from the container's start to healthy, plus ` +
        `${Math.round((ready - secondsToHealthy) * 10) / 10} s of sandbox-commands; max-ready-seconds is ${settings['max-ready-seconds'] ?? ''}. ` +
        'Bake more into the image (dependencies, a built seed) so its helpers have less to do, or raise max-ready-seconds.',
      file
    })
    problems.push(slow)
  }
  return { findings, problems, readySeconds: ready }
}
