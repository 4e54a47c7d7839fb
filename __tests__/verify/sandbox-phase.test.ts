import { captureStdout } from '../buildx/support/capture.js'
import { judgeSandbox, sandboxHook, type SandboxSettings } from '../../src/verify/sandbox-phase.js'
import type { CommandOutcome } from '../../src/verify/sandbox-command-core.js'
import type { CommandsReport } from '../../src/verify/sandbox-commands.js'

const settings = (changes: Partial<SandboxSettings> = {}): SandboxSettings => ({
  'sandbox-commands': ['prepare-project', 'project-verify'],
  'sandbox-command-timeout': 600_000,
  ...changes
})
const ok = (command: string, seconds: number): CommandOutcome => ({ command, exitCode: 0, timedOut: false, seconds, tail: [] })
const ran = (...outcomes: CommandOutcome[]): CommandsReport => ({ via: 'agent-server', outcomes, skipped: [] })
const helpers = [{ path: '/usr/local/bin/prepare-project', name: 'prepare-project', layer: 3 }]

describe('judgeSandbox', () => {
  it.each<[string, SandboxSettings, number | undefined, CommandsReport | undefined, string[], number | undefined]>([
    ['all passed: ready = healthy + commands', settings(), 2.5, ran(ok('prepare-project', 1.2), ok('project-verify', 0.4)), [], 4.1],
    ['no commands: ready = healthy', settings({ 'sandbox-commands': [] }), 2.5, undefined, [], 2.5],
    ['within max-ready-seconds', settings({ 'max-ready-seconds': 5 }), 2.5, ran(ok('prepare-project', 2.5)), [], 5],
    [
      'above max-ready-seconds',
      settings({ 'max-ready-seconds': 3 }),
      2.5,
      ran(ok('prepare-project', 1.2)),
      ['the sandbox took 3.7 s to be ready (healthy plus sandbox-commands), above max-ready-seconds 3'],
      3.7
    ],
    [
      'a failed command: its problem, and no readiness',
      settings({ 'max-ready-seconds': 1 }),
      2.5,
      {
        via: 'agent-server',
        outcomes: [{ command: 'prepare-cache', exitCode: 1, timedOut: false, seconds: 0.1, tail: ['Permission denied'] }],
        skipped: ['project-verify']
      },
      ["sandbox command 'prepare-cache' exited with code 1"],
      undefined
    ],
    [
      'a command killed at its deadline',
      settings(),
      2.5,
      ran({ command: 'sleep 999', exitCode: -1, timedOut: true, seconds: 10.2, tail: [] }),
      ["sandbox command 'sleep 999' was killed at its deadline (sandbox-command-timeout) after 10.2 s"],
      undefined
    ],
    [
      'the API failed',
      settings(),
      2.5,
      ran({ command: 'prepare-project', timedOut: false, seconds: 0.1, tail: [], problem: 'start_bash_command answered HTTP 500' }),
      ["sandbox command 'prepare-project' could not run: start_bash_command answered HTTP 500"],
      undefined
    ],
    ['the sandbox never got healthy: nothing ran, no readiness', settings(), undefined, undefined, [], undefined],
    ['healthy but the commands never ran (the boot failed after healthy)', settings(), 2.5, undefined, [], undefined]
  ])('%s', (_, given, healthy, commands, problems, ready) => {
    const judged = judgeSandbox(given, healthy, commands, [], '/w/Dockerfile')
    expect(judged.problems).toEqual(problems)
    expect(judged.findings.map(finding => finding.file)).toEqual(problems.map(() => '/w/Dockerfile'))
    expect(judged.readySeconds).toBe(ready)
  })

  it('annotates a failed command with its output and where the agent runs it', () => {
    const judged = judgeSandbox(
      settings(),
      2,
      ran({ command: 'prepare-cache', exitCode: 1, timedOut: false, seconds: 0.1, tail: ['refreshing', 'Permission denied'] }),
      [],
      '/w/Dockerfile'
    )
    expect(judged.findings).toEqual([
      {
        check: 'verify/sandbox-command',
        severity: 'error',
        file: '/w/Dockerfile',
        message:
          "Sandbox command 'prepare-cache' exited with code 1. It ran as the agent runs commands: as the runtime user, in the working directory, on an empty " +
          '/workspace volume (what the image bakes under /workspace is hidden); write only under /workspace, /tmp or the home of UID 10001, and bake ' +
          'read-only content under /opt. Last output lines (redacted):\nrefreshing\nPermission denied'
      }
    ])
  })

  it('suggests the helpers the image ships when sandbox-commands is empty, and only then', async () => {
    const { log } = await captureStdout(async () => {
      judgeSandbox(settings({ 'sandbox-commands': [] }), 2, undefined, helpers, '/w/Dockerfile')
      judgeSandbox(settings(), 2, ran(ok('prepare-project', 1)), helpers, '/w/Dockerfile')
      judgeSandbox(settings({ 'sandbox-commands': [] }), 2, undefined, [], '/w/Dockerfile')
    })
    expect(log.trim().split('\n')).toEqual([
      '::notice file=/w/Dockerfile::The image ships helper(s) prepare-project: set sandbox-commands to run them in the booted sandbox as the agent would ' +
        '(UID 10001, /workspace/project on an empty volume), so one that fails there fails here instead of on the first task.'
    ])
  })
})

describe('sandboxHook', () => {
  it('has nothing to run without sandbox-commands', () => {
    const hook = sandboxHook(settings({ 'sandbox-commands': [] }), text => text)
    expect(hook.afterHealthy).toBeUndefined()
    expect(hook.report()).toBeUndefined()
  })
})
