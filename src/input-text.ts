/**
 * What an input's text may hold before it reaches a log line, a command line or a file: no control characters (a line
 * break in registry-username would let it write `::add-mask::` or `::stop-commands::` lines of its own). Pure: the
 * tables in __tests__/input-text.test.ts run on it. Messages name the input and the character's position, never the
 * value (it may be a password).
 */
import { UserError } from './errors.js'

/** Inputs that hold one item per line; every other input is a single line. */
export const MULTI_LINE_INPUTS: ReadonlySet<string> = new Set([
  'build-args',
  'extra-tags',
  'labels',
  'secrets',
  'secret-files',
  'ssh',
  'cache-from',
  'cache-to',
  'scan-exclude',
  'docker-env',
  'sandbox-commands',
  // A PEM key's lines.
  'cosign-key'
])

/** C0 controls, DEL, C1 controls and the Unicode line and paragraph separators. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_TAB = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/

/**
 * Throws a UserError when `value` (as the runner gave input `name`) holds a control character: anywhere for a
 * single-line input; within a line (a tab allowed) for a multi-line one.
 */
export function checkInputText(name: string, value: string): void {
  if (MULTI_LINE_INPUTS.has(name)) {
    value.split(/\r?\n/).forEach((line, index) => {
      const at = line.search(CONTROL_BUT_TAB)
      if (at >= 0) {
        throw new UserError(
          `${name}: line ${index + 1} holds a control character (${describeCharacter(line.charCodeAt(at))}) at column ${at + 1}. Remove it; each line must be plain text.`
        )
      }
    })
    return
  }
  const at = value.search(CONTROL)
  if (at >= 0) {
    const what = describeCharacter(value.charCodeAt(at))
    throw new UserError(
      `${name} holds a control character (${what}) at position ${at + 1}. It must be one line of plain text: remove the character${what === 'a line break' ? ' (a YAML block scalar `|` keeps line breaks; use a plain or quoted scalar)' : ''}.`
    )
  }
}

function describeCharacter(code: number): string {
  if (code === 0x0a || code === 0x0d || code === 0x2028 || code === 0x2029 || code === 0x85) return 'a line break'
  if (code === 0x09) return 'a tab'
  if (code === 0x1b) return 'an escape character'
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`
}

/**
 * A duration input: `90s`, `10m`, `1h30m`, `2h`, or a number of seconds; `0` turns the deadline off. Returns
 * milliseconds, or undefined when the input is empty (the default applies).
 */
export function parseDuration(name: string, text: string): number | undefined {
  const value = text.trim()
  if (value === '') return undefined
  if (/^\d+$/.test(value)) return Number(value) * 1000
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value)
  if (!match || value === '' || (!match[1] && !match[2] && !match[3])) {
    throw new UserError(`${name} '${value}' is not a duration. Expected e.g. 90s, 10m, 1h30m, or 0 for none.`)
  }
  const [hours, minutes, seconds] = [match[1], match[2], match[3]].map(part => Number(part ?? '0'))
  return (((hours ?? 0) * 60 + (minutes ?? 0)) * 60 + (seconds ?? 0)) * 1000
}

/** A count input such as push-retries: 0 to `max`; undefined when empty. */
export function parseCount(name: string, text: string, max: number): number | undefined {
  const value = text.trim()
  if (value === '') return undefined
  if (!/^\d+$/.test(value) || Number(value) > max) {
    throw new UserError(`${name} '${value}' is not a whole number from 0 to ${max}.`)
  }
  return Number(value)
}

/**
 * Text for the log that cannot act as a workflow command: a line whose first non-blank characters are `::` (or the
 * old `##[` form anywhere) gets a zero-width space between them, so the runner shows it instead of running it.
 */
export function escapeWorkflowCommands(text: string): string {
  return text
    .split('\n')
    .map(line => line.replace(/^(\s*):(?=:)/, '$1:\u200b').replace(/##\[/g, '#\u200b#['))
    .join('\n')
}
