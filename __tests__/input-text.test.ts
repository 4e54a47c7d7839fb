/**
 * Input hygiene: every input of action.yml, given a line break or another control character, fails readInputs with
 * one line naming the input and never quoting the value; text echoed to the log cannot form a workflow command;
 * durations and counts parse as documented.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parse } from 'yaml'
import { UserError } from '../src/errors.js'
import { checkInputText, escapeWorkflowCommands, MULTI_LINE_INPUTS, parseCount, parseDuration } from '../src/input-text.js'
import { readInputs } from '../src/inputs.js'

const workspace = mkdtempSync(path.join(tmpdir(), 'input-text-'))
afterAll(() => rmSync(workspace, { recursive: true, force: true }))

const actionInputs = Object.keys((parse(readFileSync(new URL('../action.yml', import.meta.url), 'utf8')) as { inputs: Record<string, unknown> }).inputs)

/** What the runner could hand over: each would let a value write its own `::command::` line or move the cursor. */
const BAD: Array<[string, string]> = [
  ['a line feed', '\n'],
  ['a carriage return', '\r'],
  ['NUL', '\u0000'],
  ['an escape character', '\u001b'],
  ['DEL', '\u007f'],
  ['NEL (U+0085)', '\u0085'],
  ['a line separator (U+2028)', '\u2028'],
  ['a paragraph separator (U+2029)', '\u2029']
]

/** A value that is valid for the input apart from the character inserted into it. */
function valueWith(name: string, bad: string): string {
  const marker = `ab${bad}::warning::injected`
  if (MULTI_LINE_INPUTS.has(name)) return name === 'secrets' || name === 'build-args' || name === 'labels' ? `key=${marker}` : `item${marker}`
  return marker
}

const cases = actionInputs.flatMap(name =>
  BAD.filter(([, bad]) => !(MULTI_LINE_INPUTS.has(name) && (bad === '\n' || bad === '\r'))).map(([what, bad]): [string, string, string] => [name, what, bad])
)

test('every input of action.yml is covered', () => {
  expect(actionInputs.length).toBeGreaterThan(25)
  expect(cases.length).toBeGreaterThan(actionInputs.length * 5)
})

test.each(cases)('%s with %s fails with one line naming it', (name, _what, bad) => {
  const values: Record<string, string> = { 'agent-server-version': '1.23.0', repository: 'ghcr.io/acme/sandbox', [name]: valueWith(name, bad) }
  let thrown: unknown
  try {
    readInputs(input => values[input] ?? '', workspace)
  } catch (error) {
    thrown = error
  }
  expect(thrown).toBeInstanceOf(UserError)
  const message = (thrown as Error).message
  expect(message.startsWith(`${name} holds a control character`) || message.startsWith(`${name}: line 1 holds a control character`)).toBe(true)
  expect(message).not.toMatch(/[\n\r\u2028\u2029\u0085]/)
  expect(message).not.toContain('injected')
})

test('a multi-line input may span lines, but no line may hold a control character; a tab is allowed', () => {
  expect(() => checkInputText('extra-tags', 'a\nb\r\nc')).not.toThrow()
  expect(() => checkInputText('build-args', 'A=1\tx')).not.toThrow()
  expect(() => checkInputText('build-args', 'A=1\nB=\u001b[2J')).toThrow('build-args: line 2 holds a control character (an escape character) at column 3.')
  expect(() => checkInputText('builder', 'a\tb')).toThrow('builder holds a control character (a tab) at position 2.')
})

test('the message for a line break says how YAML keeps one, and never quotes the value', () => {
  expect(() => checkInputText('registry-password', 'secret-value\n')).toThrow(
    'registry-password holds a control character (a line break) at position 13. It must be one line of plain text: remove the character (a YAML block scalar `|` keeps line breaks; use a plain or quoted scalar).'
  )
})

describe('escapeWorkflowCommands', () => {
  test.each([
    ['::warning::x', ':\u200b:warning::x'],
    ['  ::add-mask::x', '  :\u200b:add-mask::x'],
    ['Logging in to r as ::stop-commands::t', 'Logging in to r as ::stop-commands::t'],
    ['a\n::error::b\nc', 'a\n:\u200b:error::b\nc'],
    ['x ##[set-output name=a]b', 'x #\u200b#[set-output name=a]b'],
    ['plain text: a::b', 'plain text: a::b']
  ])('%j', (text, escaped) => {
    expect(escapeWorkflowCommands(text)).toBe(escaped)
  })
})

describe('durations and counts', () => {
  test.each([
    ['', undefined],
    ['0', 0],
    ['90', 90_000],
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['2h', 7_200_000],
    ['1m30s', 90_000]
  ])('parseDuration(%j) = %p', (text, ms) => {
    expect(parseDuration('push-stall-timeout', text)).toBe(ms)
  })

  test.each(['10 minutes', '1.5m', '-1', 'm', '10ms'])('parseDuration(%j) fails naming the input', text => {
    expect(() => parseDuration('timeout', text)).toThrow(`timeout '${text}' is not a duration. Expected e.g. 90s, 10m, 1h30m, or 0 for none.`)
  })

  test('parseCount', () => {
    expect(parseCount('push-retries', '', 10)).toBeUndefined()
    expect(parseCount('push-retries', '0', 10)).toBe(0)
    expect(parseCount('push-retries', '3', 10)).toBe(3)
    expect(() => parseCount('push-retries', '11', 10)).toThrow("push-retries '11' is not a whole number from 0 to 10.")
    expect(() => parseCount('push-retries', 'two', 10)).toThrow("push-retries 'two' is not a whole number from 0 to 10.")
  })
})
