/**
 * sandbox-commands on the real engine, through a stand-in agent-server that serves the command API as the real one
 * does (__tests__/support/agent-server-stand-in: start_bash_command, bash_events/search, the session key, the kill
 * of the process group at the timeout). The image is started as OHE's runtime starts it: UID/GID 10001, an empty
 * volume on /workspace, working dir /workspace/project, the session key in OH_SESSION_API_KEYS_0, the server's
 * command with --port. Runs in CI always; skipped elsewhere when the stack is down.
 */
import { jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cpSync, mkdirSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import path from 'node:path'
import { makeRedactor } from '../../src/verify/redact.js'
import { readinessProblem, readySeconds } from '../../src/verify/sandbox-command-core.js'
import { runSandboxCommands, type CommandSandbox } from '../../src/verify/sandbox-commands.js'
import { checksummed } from '../secrets/fixtures.js'
import { scratchDir } from '../support/scratch.js'
import { BASE_REPOSITORY, REGISTRY, e2eEnabled, stackState } from '../support/stack.js'

const stack = await stackState()
const describeE2E = e2eEnabled(stack) ? describe : describe.skip
jest.setTimeout(180_000)

const tag = randomBytes(4).toString('hex')
const token = checksummed('ghp_')
const known = `registry-password-${randomBytes(6).toString('hex')}`
const standIn = path.resolve('__tests__/support/agent-server-stand-in')

/**
 * A custom image as the guide builds one: a seed baked under /opt (root-owned), helpers on the PATH, and the
 * stand-in server in place of the agent-server (with or without its command API).
 */
function buildImage(withCommandApi: boolean): string {
  const context = scratchDir('i17-image-')
  cpSync(standIn, path.join(context, 'stand-in'), { recursive: true })
  mkdirSync(path.join(context, 'bin'))
  const helper = (name: string, body: string): void => writeFileSync(path.join(context, 'bin', name), `#!/bin/sh\n${body}\n`, { mode: 0o755 })
  helper('prepare-project', 'set -e\nln -sfn /opt/project-seed /workspace/project/repo\necho "linked /opt/project-seed into $PWD/repo"\nls repo/')
  helper('prepare-cache', 'set -e\necho "refreshing /opt/cache"\necho fresh > /opt/cache/stamp')
  helper('project-verify', 'test -f /workspace/project/repo/README.md && echo "project ok"')
  writeFileSync(path.join(context, 'credentials.env'), `GITHUB_TOKEN=${token}\nREGISTRY_PASSWORD=${known}\n`)
  const image = `i17-sandbox-commands:${tag}-${withCommandApi ? 'api' : 'noapi'}`
  writeFileSync(
    path.join(context, 'Dockerfile'),
    [
      `FROM ${REGISTRY}/${BASE_REPOSITORY}:1.23.0-python`,
      'USER root',
      'COPY stand-in/serve /usr/local/bin/openhands-agent-server',
      'COPY stand-in/handle /usr/local/lib/stand-in/handle',
      withCommandApi ? 'COPY stand-in/bash-api /usr/local/lib/stand-in/routes/bash-api' : 'RUN mkdir -p /usr/local/lib/stand-in/routes',
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
const containers: string[] = []
const volumes: string[] = []

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0))
    })
  })
}

/** Starts the image as OHE's runtime does and waits for /health; the sandbox and the seconds to healthy. */
async function startSandbox(image: string): Promise<{ sandbox: CommandSandbox; secondsToHealthy: number }> {
  // Not ohe-verify-*: the verify tests count containers so named as leftovers of the action.
  const name = `i17-sandbox-${randomBytes(4).toString('hex')}`
  const volume = `${name}-workspace`
  const sessionKey = randomBytes(16).toString('hex')
  const port = await freePort()
  // The sandbox's own volume: empty but for the working dir, which fsGroup 10001 makes the runtime user's.
  execFileSync('docker', ['volume', 'create', volume], { stdio: 'ignore' })
  volumes.push(volume)
  execFileSync('docker', [
    'run',
    '--rm',
    '--user',
    '0',
    '-v',
    `${volume}:/workspace`,
    '--entrypoint',
    '/bin/sh',
    image,
    '-c',
    'mkdir /workspace/project && chown -R 10001:10001 /workspace'
  ])
  const env = { OH_SESSION_API_KEYS_0: sessionKey, OH_CONVERSATIONS_PATH: '/workspace/conversations', LOG_JSON: '1' }
  const started = Date.now()
  execFileSync('docker', [
    ...['run', '--detach', '--name', name, '--user', '10001:10001', '-v', `${volume}:/workspace`, '--workdir', '/workspace/project'],
    ...Object.entries(env).flatMap(([key, value]) => ['--env', `${key}=${value}`]),
    ...['--publish', `127.0.0.1:${port}:${port}`, '--entrypoint', '/usr/local/bin/openhands-agent-server', image, '--port', String(port)]
  ])
  containers.push(name)
  const baseUrl = `http://127.0.0.1:${port}`
  for (let tries = 0; ; tries++) {
    const ok = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2000) }).then(
      res => res.status === 200,
      () => false
    )
    if (ok) break
    if (tries > 100) throw new Error(`${image} did not answer /health`)
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  const secondsToHealthy = Math.round((Date.now() - started) / 100) / 10
  return { sandbox: { baseUrl, sessionKey, container: name, user: '10001:10001', workingDir: '/workspace/project', env }, secondsToHealthy }
}

/** Process lines in the container, the server's own excluded. */
function processes(container: string): string[] {
  return execFileSync('docker', ['exec', container, 'ps', '-o', 'args'])
    .toString()
    .split('\n')
    .filter(line => /sleep/.test(line))
}

const redact = makeRedactor([known])

describeE2E('sandbox-commands in a sandbox started as OHE starts it', () => {
  let api: { sandbox: CommandSandbox; secondsToHealthy: number }
  let fallback: { sandbox: CommandSandbox; secondsToHealthy: number }

  beforeAll(async () => {
    api = await startSandbox(buildImage(true))
    fallback = await startSandbox(buildImage(false))
  })

  afterAll(() => {
    for (const name of containers) execFileSync('docker', ['rm', '--force', name], { stdio: 'ignore' })
    for (const volume of volumes) execFileSync('docker', ['volume', 'rm', '--force', volume], { stdio: 'ignore' })
    for (const image of images) execFileSync('docker', ['image', 'rm', '--force', image], { stdio: 'ignore' })
  })

  it('runs a helper that links the seed from /opt into /workspace through the command API: it passes and its output shows', async () => {
    const report = await runSandboxCommands(api.sandbox, ['prepare-project', 'project-verify'], { timeoutMs: 60_000, redact, pollMs: 100 })
    expect(report.via).toBe('agent-server')
    expect(report.fallback).toBeUndefined()
    expect(report.outcomes.map(outcome => [outcome.command, outcome.exitCode, outcome.timedOut, outcome.problem])).toEqual([
      ['prepare-project', 0, false, undefined],
      ['project-verify', 0, false, undefined]
    ])
    expect(report.outcomes[0]?.tail).toEqual(['linked /opt/project-seed into /workspace/project/repo', 'README.md'])
    expect(report.outcomes[1]?.tail).toEqual(['project ok'])
  })

  it('fails a helper that writes into a root-owned folder: the command runs as uid 10001, as the agent', async () => {
    const report = await runSandboxCommands(api.sandbox, ['id -u', 'prepare-cache', 'project-verify'], { timeoutMs: 60_000, redact, pollMs: 100 })
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
    const report = await runSandboxCommands(api.sandbox, ['echo started; sleep 120; echo never'], { timeoutMs: 2_000, redact, pollMs: 100 })
    const [outcome] = report.outcomes
    expect(outcome).toMatchObject({ exitCode: -1, timedOut: true, tail: ['started'] })
    expect(processes(api.sandbox.container)).toEqual([])
  })

  it('redacts a secret a command prints: known values and detected tokens', async () => {
    const report = await runSandboxCommands(api.sandbox, ['cat /opt/project-seed/.env'], { timeoutMs: 60_000, redact, pollMs: 100 })
    const tail = report.outcomes[0]?.tail ?? []
    expect(tail).toEqual([`GITHUB_TOKEN=${token.slice(0, 4)}… (40 chars)`, 'REGISTRY_PASSWORD=***'])
    expect(JSON.stringify(report)).not.toContain(token)
    expect(JSON.stringify(report)).not.toContain(known)
  })

  it('fails a slow helper under max-ready-seconds', async () => {
    const report = await runSandboxCommands(api.sandbox, ['sleep 2; echo warmed'], { timeoutMs: 60_000, redact, pollMs: 100 })
    expect(report.outcomes[0]).toMatchObject({ exitCode: 0, tail: ['warmed'] })
    const ready = readySeconds(api.secondsToHealthy, report.outcomes)
    expect(ready).toBeGreaterThanOrEqual(2)
    expect(readinessProblem(ready, 1)).toBe(`the sandbox took ${ready} s to be ready (healthy plus sandbox-commands), above max-ready-seconds 1`)
  })

  it('falls back to docker exec as the runtime user in the working dir when the server has no command API, and says so', async () => {
    const report = await runSandboxCommands(fallback.sandbox, ['id -u; pwd; echo "key=${OH_SESSION_API_KEYS_0:-unset}"', 'prepare-project', 'prepare-cache'], {
      timeoutMs: 60_000,
      redact
    })
    expect(report.via).toBe('docker exec')
    expect(report.fallback).toBe('the agent-server has no command API (POST /api/bash/start_bash_command answered 404)')
    expect(report.outcomes.map(outcome => outcome.exitCode)).toEqual([0, 0, 1])
    expect(report.outcomes[0]?.tail).toEqual(['10001', '/workspace/project', 'key=unset'])
    expect(report.outcomes[1]?.tail).toEqual(['linked /opt/project-seed into /workspace/project/repo', 'README.md'])
  })

  it('kills a fallback command past its deadline inside the container', async () => {
    const report = await runSandboxCommands(fallback.sandbox, ['echo started; sleep 120'], { timeoutMs: 2_000, redact })
    expect(report.outcomes[0]).toMatchObject({ exitCode: -1, timedOut: true, tail: ['started'] })
    expect(processes(fallback.sandbox.container)).toEqual([])
  })
})
