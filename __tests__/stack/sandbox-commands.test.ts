/**
 * sandbox-commands on the real engine, through a stand-in agent-server that serves the command API as the real one
 * does (__tests__/support/stand-in-server/routes/bash.sh: start_bash_command, bash_events/search, the session key, the kill
 * of the process group at the timeout). The image is booted by the verify phase's boot check (boot.ts: the runtime
 * spec's command, UID/GID 10001 with the fs group, an empty /workspace volume, working dir /workspace/project, the
 * spec's environment and the session key) and the commands run through its afterHealthy hook, as in the action.
 * Runs in CI always; skipped elsewhere when the stack is down.
 */
import { jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { builtInRuntime } from '../../src/release/runtime-spec.js'
import { bootCheck, sandboxLimits, type BootReport } from '../../src/verify/boot.js'
import { makeRedactor } from '../../src/verify/redact.js'
import type { CommandsReport } from '../../src/verify/sandbox-commands.js'
import { judgeSandbox, sandboxHook } from '../../src/verify/sandbox-phase.js'
import { checksummed } from '../secrets/fixtures.js'
import { scratchDir } from '../support/scratch.js'
import { BASE_REPOSITORY, REGISTRY, e2eEnabled, stackState } from '../support/stack.js'

const stack = await stackState()
const describeE2E = e2eEnabled(stack) ? describe : describe.skip
jest.setTimeout(180_000)

const tag = randomBytes(4).toString('hex')
const token = checksummed('ghp_')
const known = `registry-password-${randomBytes(6).toString('hex')}`
const standIn = path.resolve('__tests__/support/stand-in-server')

/**
 * A custom image as the guide builds one: a seed baked under /opt (root-owned), helpers on the PATH, and the
 * stand-in server in place of the agent-server (with or without its command API).
 */
function buildImage(withCommandApi: boolean): string {
  const context = scratchDir('i17-image-')
  cpSync(standIn, path.join(context, 'stand-in'), { recursive: true })
  if (!withCommandApi) rmSync(path.join(context, 'stand-in', 'routes', 'bash.sh'))
  mkdirSync(path.join(context, 'bin'))
  const helper = (name: string, body: string): void => writeFileSync(path.join(context, 'bin', name), `#!/bin/sh\n${body}\n`, { mode: 0o755 })
  helper(
    'prepare-project',
    'set -e\nln -sfn /opt/project-seed /workspace/project-seed\necho "linked /opt/project-seed into /workspace/project-seed"\nls /workspace/project-seed/'
  )
  helper('prepare-cache', 'set -e\necho "refreshing /opt/cache"\necho fresh > /opt/cache/stamp')
  helper('project-verify', 'test -f /workspace/project-seed/README.md && echo "project ok as $(id -u) in $PWD"')
  writeFileSync(path.join(context, 'credentials.env'), `GITHUB_TOKEN=${token}\nREGISTRY_PASSWORD=${known}\n`)
  const image = `i17-sandbox-commands:${tag}-${withCommandApi ? 'api' : 'noapi'}`
  writeFileSync(
    path.join(context, 'Dockerfile'),
    [
      `FROM ${REGISTRY}/${BASE_REPOSITORY}:1.23.0-python`,
      'USER root',
      'COPY stand-in/openhands-agent-server /usr/local/bin/openhands-agent-server',
      'COPY stand-in/handle /usr/local/lib/stand-in/handle',
      'COPY stand-in/routes/ /usr/local/lib/stand-in/routes/',
      'RUN mkdir -p /opt/project-seed /opt/cache && echo "# project" > /opt/project-seed/README.md',
      'COPY credentials.env /opt/project-seed/.env',
      'COPY bin/ /usr/local/bin/',
      'USER openhands',
      ''
    ].join('\n')
  )
  execFileSync('docker', ['build', '--quiet', '--tag', image, context], { stdio: ['ignore', 'pipe', 'inherit'] })
  images.push(image)
  return image
}

const images: string[] = []

/** Process lines in the container that sleep (a command's, or a leftover of one). */
function sleeping(container: string): string[] {
  return execFileSync('docker', ['exec', container, 'ps', '-o', 'args'])
    .toString()
    .split('\n')
    .filter(line => /sleep/.test(line))
}

const redact = makeRedactor([known])

interface Booted {
  boot: BootReport
  report: CommandsReport
  /** What still slept in the container after the commands ran. */
  sleeping: string[]
}

/**
 * Boots the image as the verify phase does (boot.ts: the runtime spec's command, user, fs group, empty /workspace
 * volume, working dir, environment and limits) and runs the commands through the verify phase's hook.
 */
async function bootAndRun(image: string, commands: string[], timeoutMs = 60_000): Promise<Booted> {
  const runtime = builtInRuntime('the stack test boots with the built-in spec')
  const limits = sandboxLimits(runtime.spec, {})
  const hook = sandboxHook({ 'sandbox-commands': commands, 'sandbox-command-timeout': timeoutMs }, redact, 100)
  let left: string[] = []
  const boot = await bootCheck({
    image,
    target: '1.23.0',
    spec: runtime.spec,
    specSource: runtime.source,
    memoryBytes: limits.memoryBytes,
    cpus: limits.cpus,
    timeoutSeconds: 120,
    workDir: scratchDir('i17-boot-'),
    redact,
    afterHealthy: async sandbox => {
      await hook.afterHealthy?.(sandbox)
      left = sleeping(sandbox.container.name)
    }
  })
  const report = hook.report()
  if (!boot.ok || report === undefined) throw new Error(`the boot failed: ${boot.failedProbe ?? ''} ${boot.problem ?? ''}`)
  return { boot, report, sleeping: left }
}

describeE2E('sandbox-commands in a sandbox booted as OHE starts it', () => {
  let api: string
  let fallback: string

  beforeAll(() => {
    api = buildImage(true)
    fallback = buildImage(false)
  })

  afterAll(() => {
    for (const image of images) execFileSync('docker', ['image', 'rm', '--force', image], { stdio: 'ignore' })
  })

  it('runs a helper that links the seed from /opt into /workspace through the command API: it passes and its output shows', async () => {
    const { report } = await bootAndRun(api, ['prepare-project', 'project-verify'])
    expect(report.via).toBe('agent-server')
    expect(report.fallback).toBeUndefined()
    expect(report.outcomes.map(outcome => [outcome.command, outcome.exitCode, outcome.timedOut, outcome.problem])).toEqual([
      ['prepare-project', 0, false, undefined],
      ['project-verify', 0, false, undefined]
    ])
    expect(report.outcomes[0]?.tail).toEqual(['linked /opt/project-seed into /workspace/project-seed', 'README.md'])
    // As the agent: the runtime user, in the runtime's working directory.
    expect(report.outcomes[1]?.tail).toEqual(['project ok as 10001 in /workspace/project'])
  })

  it('fails a helper that writes into a root-owned folder: the command runs as uid 10001, as the agent', async () => {
    const { report } = await bootAndRun(api, ['id -u', 'prepare-cache', 'project-verify'])
    expect(report.outcomes.map(outcome => outcome.exitCode)).toEqual([0, 1])
    expect(report.outcomes[0]?.tail).toEqual(['10001'])
    expect(report.outcomes[1]?.tail).toEqual([
      'refreshing /opt/cache',
      "/usr/local/bin/prepare-cache: line 4: can't create /opt/cache/stamp: Permission denied"
    ])
    // A failed helper ends the run: what follows would fail for the same reason.
    expect(report.skipped).toEqual(['project-verify'])
  })

  it('kills a command past its deadline and fails it', async () => {
    const { report, sleeping } = await bootAndRun(api, ['echo started; sleep 120; echo never'], 2_000)
    expect(report.outcomes[0]).toMatchObject({ exitCode: -1, timedOut: true, tail: ['started'] })
    expect(sleeping).toEqual([])
  })

  it('redacts a secret a command prints: known values and detected tokens', async () => {
    const { report } = await bootAndRun(api, ['cat /opt/project-seed/.env'])
    expect(report.outcomes[0]?.tail).toEqual([`GITHUB_TOKEN=${token.slice(0, 4)}… (40 chars)`, 'REGISTRY_PASSWORD=***'])
    expect(JSON.stringify(report)).not.toContain(token)
    expect(JSON.stringify(report)).not.toContain(known)
  })

  it('fails a slow helper under max-ready-seconds', async () => {
    const { boot, report } = await bootAndRun(api, ['sleep 2; echo warmed'])
    expect(report.outcomes[0]).toMatchObject({ exitCode: 0, tail: ['warmed'] })
    const judged = judgeSandbox(
      { 'sandbox-commands': ['sleep 2; echo warmed'], 'sandbox-command-timeout': 60_000, 'max-ready-seconds': 1.5 },
      boot.secondsToHealthy,
      report,
      [],
      '/w/Dockerfile'
    )
    expect(judged.readySeconds).toBeGreaterThanOrEqual(2)
    expect(judged.problems).toEqual([
      `the sandbox took ${judged.readySeconds ?? ''} s to be ready (healthy plus sandbox-commands), above max-ready-seconds 1.5`
    ])
  })

  it('falls back to docker exec as the runtime user in the working dir when the server has no command API, and says so', async () => {
    const { report } = await bootAndRun(fallback, [
      'id -u; pwd; echo "key=${OH_SESSION_API_KEYS_0:-unset} conversations=$OH_CONVERSATIONS_PATH"',
      'prepare-project',
      'prepare-cache'
    ])
    expect(report.via).toBe('docker exec')
    expect(report.fallback).toBe('the agent-server has no command API (POST /api/bash/start_bash_command: no such route)')
    expect(report.outcomes.map(outcome => outcome.exitCode)).toEqual([0, 0, 1])
    // The runtime's environment, without the session key.
    expect(report.outcomes[0]?.tail).toEqual(['10001', '/workspace/project', 'key=unset conversations=/workspace/conversations'])
    expect(report.outcomes[1]?.tail).toEqual(['linked /opt/project-seed into /workspace/project-seed', 'README.md'])
  })

  it('kills a fallback command past its deadline inside the container', async () => {
    const { report, sleeping } = await bootAndRun(fallback, ['echo started; sleep 120'], 2_000)
    expect(report.outcomes[0]).toMatchObject({ exitCode: -1, timedOut: true, tail: ['started'] })
    expect(sleeping).toEqual([])
  })
})
