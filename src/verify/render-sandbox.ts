/**
 * The sandbox part of the verify section (summary and PR comment): the image's helpers, the sandbox commands with
 * their exit codes, durations and redacted output tails, and how long the sandbox took to be ready. Markdown lines.
 */
import type { Helper } from './helpers.js'
import { passed, shownCommand, type CommandOutcome } from './sandbox-command-core.js'
import type { CommandsReport } from './sandbox-commands.js'

export interface SandboxFacts {
  helpers?: readonly Helper[]
  commands?: CommandsReport
  secondsToHealthy?: number
  readySeconds?: number
  maxReadySeconds?: number
}

/** Rows of the verify table: `| Part | Result |`. */
export function sandboxRows(facts: SandboxFacts): string[] {
  const rows: string[] = []
  const helpers = facts.helpers ?? []
  if (helpers.length > 0) {
    const dirs = [...new Set(helpers.map(helper => helper.path.slice(0, helper.path.lastIndexOf('/'))))]
    rows.push(`| Helpers in the image | ${helpers.map(helper => code(helper.name)).join(', ')} on the PATH (${dirs.map(code).join(', ')}) |`)
  }
  const { commands } = facts
  if (commands && commands.outcomes.length > 0) {
    const via =
      commands.via === 'agent-server'
        ? "through the agent-server's command API"
        : `through docker exec because ${cell(commands.fallback ?? 'the agent-server has no command API')}`
    const seconds = round(commands.outcomes.reduce((sum, outcome) => sum + outcome.seconds, 0))
    const failed = commands.outcomes.find(outcome => !passed(outcome))
    const notRun = commands.skipped.length > 0 ? `; ${commands.skipped.length} not run` : ''
    rows.push(
      failed
        ? `| Sandbox commands | ❌ ${code(shownCommand(failed.command))} ${failure(failed)}${notRun}, ${via} |`
        : `| Sandbox commands | ✅ ${commands.outcomes.length} passed in ${shownSeconds(seconds)} s, ${via} |`
    )
  }
  if (facts.readySeconds !== undefined) {
    const over = facts.maxReadySeconds !== undefined && facts.readySeconds > facts.maxReadySeconds
    const parts = `healthy in ${facts.secondsToHealthy ?? '?'} s${commands && commands.outcomes.length > 0 ? ' + sandbox-commands' : ''}`
    const limit = facts.maxReadySeconds === undefined ? '' : `, max-ready-seconds ${facts.maxReadySeconds}`
    rows.push(`| Ready for a task | ${over ? '❌' : '✅'} ${facts.readySeconds} s (${parts}${limit}) |`)
  }
  return rows
}

/** The per-command table and output tails, after the verify table. */
export function commandDetails(commands: CommandsReport | undefined): string[] {
  if (!commands || commands.outcomes.length === 0) return []
  const lines = ['', '| Sandbox command | Exit code | Seconds |', '|---|---|---|']
  for (const outcome of commands.outcomes) {
    const exit = outcome.timedOut
      ? '❌ killed at its deadline'
      : outcome.problem
        ? `❌ ${cell(outcome.problem)}`
        : `${passed(outcome) ? '✅' : '❌'} ${outcome.exitCode ?? '?'}`
    lines.push(`| ${code(shownCommand(outcome.command))} | ${exit} | ${shownSeconds(outcome.seconds)} |`)
  }
  for (const command of commands.skipped) lines.push(`| ${code(shownCommand(command))} | ⏭️ not run | |`)
  for (const outcome of commands.outcomes.filter(outcome => outcome.tail.length > 0)) {
    lines.push(
      '',
      `<details><summary>Output of ${code(shownCommand(outcome.command))} (last ${outcome.tail.length} line(s), redacted)</summary>`,
      '',
      '```',
      ...outcome.tail.map(line => line.replace(/```/g, '`\u200b``')),
      '```',
      '</details>'
    )
  }
  return lines
}

function failure(outcome: CommandOutcome): string {
  if (outcome.timedOut) return `was killed at its deadline after ${outcome.seconds} s`
  if (outcome.problem) return `could not run: ${cell(outcome.problem)}`
  return `exited with code ${outcome.exitCode ?? '?'}`
}

/** An inline code span that survives backticks in the text. */
function code(text: string): string {
  const safe = cell(text)
  return safe.includes('`') ? `\`\` ${safe} \`\`` : `\`${safe}\``
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
}

/** Durations are measured to a tenth: a command quicker than that is not "0 s". */
function shownSeconds(seconds: number): string {
  return seconds < 0.1 ? '< 0.1' : String(seconds)
}

function round(seconds: number): number {
  return Math.round(seconds * 10) / 10
}
