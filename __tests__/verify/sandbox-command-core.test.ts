import {
  appendLines,
  foldBashEvents,
  NO_PROGRESS,
  outputTail,
  parseEventPage,
  readinessProblem,
  readySeconds,
  shownCommand,
  timedOut,
  type BashEvent
} from '../../src/verify/sandbox-command-core.js'
import { makeRedactor } from '../../src/verify/redact.js'
import { dockerExecArgs } from '../../src/verify/sandbox-commands.js'
import { checksummed } from '../secrets/fixtures.js'

const id = '5f0c6e0e-3b7a-4d7c-9a57-1c2d3e4f5a6b'
const output = (order: number, fields: Partial<BashEvent>): BashEvent => ({ kind: 'BashOutput', id: `e${order}`, command_id: id, order, ...fields })

describe('parseEventPage', () => {
  it.each<[string, ReturnType<typeof parseEventPage>]>([
    ['{"items":[],"next_page_id":null}', { items: [], next_page_id: null }],
    ['{"items":[{"kind":"BashOutput","order":0}],"next_page_id":"2026_x"}', { items: [{ kind: 'BashOutput', order: 0 }], next_page_id: '2026_x' }],
    ['{"items":[null,3,{"order":1}]}', { items: [{ order: 1 }], next_page_id: null }],
    ['<html>404</html>', 'not JSON: <html>404</html>'],
    ['{"detail":"Not Found"}', 'no items list: {"detail":"Not Found"}']
  ])('%s', (body, expected) => {
    expect(parseEventPage(body)).toEqual(expected)
  })
})

describe('foldBashEvents: the event stream to one result', () => {
  it.each<[string, BashEvent[], { exitCode?: number; stdout: string[]; stderr: string[]; lastOrder: number }]>([
    ['a command still running: no output yet', [{ kind: 'BashCommand', id, command: 'sleep 5' } as BashEvent], { stdout: [], stderr: [], lastOrder: -1 }],
    [
      'one final event with its exit code',
      [output(0, { exit_code: 0, stdout: 'linked\n' })],
      { exitCode: 0, stdout: ['linked', ''], stderr: [], lastOrder: 0 }
    ],
    [
      'pieces out of order are put back in order, a line split across pieces is joined',
      [output(2, { exit_code: 3, stderr: 'boom\n' }), output(0, { stdout: 'a\nhal' }), output(1, { stdout: 'f\n' })],
      { exitCode: 3, stdout: ['a', 'half', ''], stderr: ['boom', ''], lastOrder: 2 }
    ],
    [
      'a command killed at its timeout',
      [output(0, { exit_code: -1, stdout: 'started\n' })],
      { exitCode: -1, stdout: ['started', ''], stderr: [], lastOrder: 0 }
    ],
    [
      'no output, exit 0: the server still sends the final event',
      [output(0, { exit_code: 0, stdout: null, stderr: null })],
      { exitCode: 0, stdout: [], stderr: [], lastOrder: 0 }
    ],
    [
      "another command's events and the command itself are ignored",
      [{ kind: 'BashCommand', id, command: 'x' } as BashEvent, { ...output(0, { exit_code: 9 }), command_id: 'other' }, output(0, { stdout: 'mine' })],
      { stdout: ['mine'], stderr: [], lastOrder: 0 }
    ],
    [
      'the id in hex without dashes is the same command',
      [{ ...output(0, { exit_code: 0 }), command_id: id.replace(/-/g, '').toUpperCase() }],
      { exitCode: 0, stdout: [], stderr: [], lastOrder: 0 }
    ]
  ])('%s', (_, events, expected) => {
    expect(foldBashEvents(NO_PROGRESS, events, id)).toEqual(expected)
  })

  it('takes only events newer than the last poll (order__gt), so a repeated page adds nothing', () => {
    const first = foldBashEvents(NO_PROGRESS, [output(0, { stdout: 'one\n' })], id)
    const again = foldBashEvents(first, [output(0, { stdout: 'one\n' }), output(1, { exit_code: 0, stdout: 'two\n' })], id)
    expect(again).toEqual({ exitCode: 0, stdout: ['one', 'two', ''], stderr: [], lastOrder: 1 })
  })

  it('keeps only the last lines of a long output', () => {
    const text = Array.from({ length: 100 }, (_, index) => `line ${index}`).join('\n') + '\n'
    const folded = foldBashEvents(NO_PROGRESS, [output(0, { exit_code: 0, stdout: text })], id, 3)
    expect(folded.stdout).toEqual(['line 97', 'line 98', 'line 99', ''])
  })
})

describe('appendLines', () => {
  it.each<[string[], string, number, string[]]>([
    [[], 'a\nb', 30, ['a', 'b']],
    [['a', 'b'], 'c\nd\n', 30, ['a', 'bc', 'd', '']],
    [['x'], '\r\ny\r\n', 30, ['x', 'y', '']],
    [['1', '2', '3'], '4\n5', 2, ['2', '34', '5']]
  ])('%j + %j (keep %i)', (lines, text, keep, expected) => {
    expect(appendLines(lines, text, keep)).toEqual(expected)
  })
})

describe('outputTail: the summary lines, redacted', () => {
  const token = checksummed('ghp_')
  const redact = makeRedactor(['hunter2-registry-password'])
  it.each<[string, string[], string[], number, string[]]>([
    [
      'stdout then stderr, blank lines and trailing spaces dropped',
      ['linked /opt/seed  ', '', 'done'],
      ['warning: slow', ''],
      30,
      ['linked /opt/seed', 'done', 'warning: slow']
    ],
    ['the last lines only', ['1', '2', '3'], ['4'], 2, ['3', '4']],
    [
      'a known secret value and a detected token are redacted',
      [`login hunter2-registry-password ok`, `GITHUB_TOKEN=${token}`],
      [],
      30,
      ['login *** ok', `GITHUB_TOKEN=${token.slice(0, 4)}… (40 chars)`]
    ]
  ])('%s', (_, stdout, stderr, keep, expected) => {
    const tail = outputTail(stdout, stderr, redact, keep)
    expect(tail).toEqual(expected)
  })
})

describe('timedOut', () => {
  it.each<[number | undefined, number, number, boolean]>([
    [-1, 10.2, 10, true],
    [undefined, 25, 10, true],
    [-1, 0.3, 10, false],
    [0, 12, 10, false],
    [1, 10.5, 10, false],
    [undefined, 2, 10, false]
  ])('exit %j after %j s with a %j s deadline', (exitCode, seconds, timeout, expected) => {
    expect(timedOut(exitCode, seconds, timeout)).toBe(expected)
  })
})

describe('readiness', () => {
  it.each<[number, number[], number]>([
    [3.2, [], 3.2],
    [3.2, [1.1, 0.35], 4.7],
    [0.1, [0.2], 0.3],
    [12, [100.04, 0.01], 112.1]
  ])('healthy after %j s plus commands %j = %j s', (healthy, durations, ready) => {
    expect(
      readySeconds(
        healthy,
        durations.map(seconds => ({ seconds }))
      )
    ).toBe(ready)
  })

  it.each<[number, number | undefined, string | undefined]>([
    [4.7, undefined, undefined],
    [4.7, 5, undefined],
    [5, 5, undefined],
    [5.1, 5, 'the sandbox took 5.1 s to be ready (healthy plus sandbox-commands), above max-ready-seconds 5']
  ])('%j s against max-ready-seconds %j', (ready, max, problem) => {
    expect(readinessProblem(ready, max)).toBe(problem)
  })
})

describe('shownCommand', () => {
  it.each([
    ['prepare-project', 'prepare-project'],
    ['cd x &&\tmake   check', 'cd x && make check'],
    ['x'.repeat(130), `${'x'.repeat(117)}...`]
  ])('%j', (command, shown) => {
    expect(shownCommand(command)).toBe(shown)
  })
})

describe('dockerExecArgs: the fallback, as the runtime user in the working dir with the spec environment', () => {
  it('passes the environment but never the session key, and runs the line with /bin/sh after recording its process group', () => {
    const sandbox = {
      baseUrl: 'http://127.0.0.1:1',
      sessionKey: 'k',
      container: 'ohe-verify-0a',
      user: '10001:10001',
      workingDir: '/workspace/project',
      env: { OH_CONVERSATIONS_PATH: '/workspace/conversations', OH_SESSION_API_KEYS_0: 'k', SESSION_API_KEY: 'k', LOG_JSON: '1' }
    }
    expect(dockerExecArgs(sandbox, 'prepare-project --fast', '/tmp/.p.pid')).toEqual([
      ...['exec', '--user', '10001:10001', '--workdir', '/workspace/project'],
      ...['--env', 'OH_CONVERSATIONS_PATH=/workspace/conversations', '--env', 'LOG_JSON=1'],
      'ohe-verify-0a',
      '/bin/sh',
      '-c',
      'echo $$ > "$0" 2>/dev/null; unset SESSION_API_KEY OH_SESSION_API_KEYS_0; exec /bin/sh -c "$1"',
      '/tmp/.p.pid',
      'prepare-project --fast'
    ])
  })
})
