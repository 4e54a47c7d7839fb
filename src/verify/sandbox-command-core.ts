/**
 * The pure part of running commands in the booted sandbox: the `sandbox-commands` input as command lines, the
 * agent-server's bash events (software-agent-sdk `BashCommand` / `BashOutput`, paged by `bash_events/search`) folded
 * into one result, the redacted output tail the summary shows, and the readiness sum. Tested by tables.
 */
import { UserError } from '../errors.js'

/** Output lines kept per command for the summary. */
export const TAIL_LINES = 30

/** `sandbox-commands`: one shell command line per line; blank lines and `#` comment lines are skipped. */
export function parseSandboxCommands(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map(line => line.trim())
    .filter(line => line !== '' && !line.startsWith('#'))
}

/** `max-ready-seconds`: a positive number of seconds (decimals allowed); undefined when empty (no limit). */
export function parseMaxReadySeconds(text: string): number | undefined {
  const value = text.trim()
  if (value === '') return undefined
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0) {
    throw new UserError(`max-ready-seconds '${value}' is not a number of seconds above 0. Expected e.g. 60 or 90.5, or leave it empty for no limit.`)
  }
  return Number(value)
}

/** One event of the search page, as the agent-server serialises it (fields the run reads). */
export interface BashEvent {
  kind?: string
  id?: string
  command_id?: string
  order?: number
  /** null while the command runs; set on its last BashOutput (-1 when the server killed it at its timeout). */
  exit_code?: number | null
  stdout?: string | null
  stderr?: string | null
}

export interface BashEventPage {
  items: BashEvent[]
  next_page_id: string | null
}

/** A `bash_events/search` answer, or why it is not one. */
export function parseEventPage(body: string): BashEventPage | string {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return `not JSON: ${body.slice(0, 120)}`
  }
  const page = parsed as { items?: unknown; next_page_id?: unknown }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(page.items)) return `no items list: ${body.slice(0, 120)}`
  const items = page.items.filter((item): item is BashEvent => typeof item === 'object' && item !== null)
  return { items, next_page_id: typeof page.next_page_id === 'string' ? page.next_page_id : null }
}

/** The command's output and exit so far, folded from its BashOutput events in `order`. */
export interface CommandProgress {
  /** The highest `order` seen (for `order__gt` on the next poll); -1 before any output. */
  lastOrder: number
  /** The last lines of stdout and of stderr (a partial last line included). */
  stdout: string[]
  stderr: string[]
  /** Set once the final BashOutput arrived. */
  exitCode?: number
}

export const NO_PROGRESS: CommandProgress = { lastOrder: -1, stdout: [], stderr: [] }

/**
 * Adds a page of events to the progress: only this command's BashOutput events newer than `lastOrder`, in `order`
 * (the server numbers stdout and stderr pieces from one counter). Keeps the last `keep` lines of each stream.
 */
export function foldBashEvents(progress: CommandProgress, events: readonly BashEvent[], commandId: string, keep = TAIL_LINES): CommandProgress {
  const outputs = events
    .filter(event => (event.kind === undefined || event.kind === 'BashOutput') && typeof event.order === 'number' && sameId(event.command_id, commandId))
    .filter(event => (event.order as number) > progress.lastOrder)
    .sort((a, b) => (a.order as number) - (b.order as number))
  let { lastOrder, stdout, stderr, exitCode } = progress
  for (const event of outputs) {
    lastOrder = event.order as number
    if (event.stdout) stdout = appendLines(stdout, event.stdout, keep)
    if (event.stderr) stderr = appendLines(stderr, event.stderr, keep)
    if (typeof event.exit_code === 'number') exitCode = event.exit_code
  }
  return { lastOrder, stdout, stderr, ...(exitCode === undefined ? {} : { exitCode }) }
}

/** UUIDs compare without dashes and case: the server takes either form in `command_id__eq`. */
function sameId(a: string | undefined, b: string): boolean {
  const norm = (id: string): string => id.replace(/-/g, '').toLowerCase()
  return a !== undefined && norm(a) === norm(b)
}

/** Text pieces are not split at line ends: a piece's first line continues the previous piece's last. */
export function appendLines(lines: readonly string[], text: string, keep = TAIL_LINES): string[] {
  const parts = text.split(/\r?\n/)
  const result = [...lines]
  const first = parts.shift() ?? ''
  if (result.length > 0) result[result.length - 1] += first
  else result.push(first)
  result.push(...parts)
  // One more than kept: the last element is the (possibly empty) line still being written.
  return result.slice(-(keep + 1))
}

/**
 * The summary's output tail: stdout's lines, then stderr's (the server keeps them apart), the last `keep` non-empty
 * ones, each redacted.
 */
export function outputTail(stdout: readonly string[], stderr: readonly string[], redact: (text: string) => string, keep = TAIL_LINES): string[] {
  const lines = [...stdout, ...stderr].map(line => line.replace(/\s+$/, '')).filter(line => line !== '')
  return lines.slice(-keep).map(line => redact(line))
}

export interface CommandOutcome {
  command: string
  /** The exit code; undefined when the command never finished (its deadline passed, or the API failed). */
  exitCode?: number
  timedOut: boolean
  seconds: number
  /** Redacted, last lines first to last. */
  tail: string[]
  /** Why there is no exit code, or what the API answered; undefined for a command that ran to its end. */
  problem?: string
}

/** The server reports a command it killed at its timeout as exit code -1; so does one that ran past the deadline. */
export function timedOut(exitCode: number | undefined, seconds: number, timeoutSeconds: number): boolean {
  return (exitCode === undefined || exitCode === -1) && seconds >= timeoutSeconds
}

export function passed(outcome: CommandOutcome): boolean {
  return outcome.exitCode === 0 && !outcome.timedOut && outcome.problem === undefined
}

/** Seconds from the container's start to healthy, plus every command's duration; one decimal. */
export function readySeconds(secondsToHealthy: number, outcomes: readonly Pick<CommandOutcome, 'seconds'>[]): number {
  const total = outcomes.reduce((sum, outcome) => sum + outcome.seconds, secondsToHealthy)
  return Math.round(total * 10) / 10
}

/** The problem line when readiness is above `max-ready-seconds`; undefined within it or without a limit. */
export function readinessProblem(ready: number, max: number | undefined): string | undefined {
  if (max === undefined || ready <= max) return undefined
  return `the sandbox took ${ready} s to be ready (healthy plus sandbox-commands), above max-ready-seconds ${max}`
}

/** A command line shown in one summary cell or log line: one line, at most 120 characters. */
export function shownCommand(command: string): string {
  const line = command.replace(/\s+/g, ' ')
  return line.length > 120 ? `${line.slice(0, 117)}...` : line
}

/** Why a command fails the step, in one line; undefined when it passed. */
export function commandFailure(outcome: CommandOutcome): string | undefined {
  const name = `sandbox command '${shownCommand(outcome.command)}'`
  if (outcome.timedOut) return `${name} was killed at its deadline (sandbox-command-timeout) after ${outcome.seconds} s`
  if (outcome.problem !== undefined) return `${name} could not run: ${outcome.problem}`
  if (outcome.exitCode !== 0) return `${name} exited with code ${outcome.exitCode ?? '?'}`
  return undefined
}
