/**
 * sandbox-commands through the whole bundled action on the real stack: the image is built FROM a stand-in
 * agent-server base, booted by the verify phase, its helpers run through the stand-in's command API (as the real
 * server serves it), and only then pushed. A failing helper or a readiness above max-ready-seconds pushes nothing.
 * Runs in CI always; skipped elsewhere when the stack is down.
 */
import { jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { appendFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { runAction, runPostStep, type ActionRun } from '../support/action-runner.js'
import { uniqueRepository } from '../support/docker-push.js'
import { checksummed } from '../secrets/fixtures.js'
import { scratchDir } from '../support/scratch.js'
import { BASE_REPOSITORY, REGISTRY, RegistryClient, e2eEnabled, mustBeUp, stackState } from '../support/stack.js'

const stack = await stackState()
const describeE2E = e2eEnabled(stack) ? describe : describe.skip
jest.setTimeout(300_000)

const token = checksummed('ghp_')

/** A workspace whose image/ holds the stand-in server with its command API, helpers, and a root-owned /opt/cache. */
function workspace(): string {
  const root = scratchDir('i17-action-')
  const context = path.join(root, 'image')
  mkdirSync(path.join(context, 'bin'), { recursive: true })
  cpSync(path.resolve('__tests__/support/stand-in-server'), path.join(context, 'stand-in'), { recursive: true })
  const helper = (name: string, body: string): void => writeFileSync(path.join(context, 'bin', name), `#!/bin/sh\n${body}\n`, { mode: 0o755 })
  helper('prepare-cache', 'set -e\necho "refreshing /opt/cache"\necho fresh > /opt/cache/stamp')
  helper('project-verify', 'test -f /opt/project-seed/README.md && echo "project ok as $(id -u) in $PWD"')
  writeFileSync(
    path.join(context, 'Dockerfile'),
    [
      `FROM ${REGISTRY}/${BASE_REPOSITORY}:1.23.0-python`,
      'USER root',
      'COPY stand-in/openhands-agent-server /usr/local/bin/openhands-agent-server',
      'COPY stand-in/handle /usr/local/lib/stand-in/handle',
      'COPY stand-in/routes/ /usr/local/lib/stand-in/routes/',
      'RUN mkdir -p /opt/project-seed /opt/cache && echo "# project" > /opt/project-seed/README.md',
      'COPY bin/ /usr/local/bin/',
      'USER openhands',
      ''
    ].join('\n')
  )
  return root
}

function inputs(repository: string, extra: Record<string, string>): Record<string, string> {
  const { username, password } = mustBeUp(stack)
  return {
    'agent-server-version': '1.23.0',
    'base-image': `${REGISTRY}/${BASE_REPOSITORY}`,
    context: 'image',
    repository,
    'registry-username': username,
    'registry-password': password,
    ...extra
  }
}

const errors = (run: ActionRun): string[] => run.annotations.filter(a => a.level === 'error').map(a => a.message)
const nameOf = (repository: string): string => repository.slice(REGISTRY.length + 1)

/** This run's boot containers still on the engine: other runs on the shared engine have their own. */
function leftovers(run: Pick<ActionRun, 'savedValues'>): string[] {
  const made = new Set((run.savedValues?.['verify-container'] ?? []).filter(Boolean))
  const containers = execFileSync('docker', ['ps', '-a', '--filter', 'name=ohe-verify-', '--format', '{{.Names}}']).toString().trim()
  return containers === '' ? [] : containers.split('\n').filter(name => made.has(name))
}

describeE2E('sandbox-commands in the verify phase of the action', () => {
  it('runs the helpers in the booted sandbox through the command API, reports them and ready-seconds, and pushes', async () => {
    const repository = uniqueRepository(mustBeUp(stack), 'i17-pass')
    const root = workspace()
    const run = await runAction(
      inputs(repository, { 'sandbox-commands': `# the image's own check\nproject-verify\necho "GITHUB_TOKEN=${token}"\n`, 'max-ready-seconds': '600' }),
      root
    )
    if (process.env.I17_DEBUG) console.log(run.log, run.summary)
    expect(errors(run)).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(run.outputs.pushed).toBe('true')
    expect(run.outputs['ready-seconds']).toMatch(/^\d+(\.\d)?$/)
    expect(run.summary).toContain('| Helpers in the image | `prepare-cache`, `project-verify` on the PATH (`/usr/local/bin`) |')
    expect(run.summary).toMatch(/\| Sandbox commands \| ✅ 2 passed in [\d.]+ s, through the agent-server's command API \|/)
    expect(run.summary).toMatch(
      new RegExp(`\\| Ready for a task \\| ✅ ${run.outputs['ready-seconds']} s \\(healthy in [\\d.]+ s \\+ sandbox-commands, max-ready-seconds 600\\) \\|`)
    )
    // As the agent: the runtime user, in the runtime's working directory.
    expect(run.summary).toContain('```\nproject ok as 10001 in /workspace/project\n```')
    // The token the command printed (and the command line that holds it) is redacted everywhere.
    expect(run.summary).toContain(`GITHUB_TOKEN=${token.slice(0, 4)}… (40 chars)`)
    expect(run.log + run.summary).not.toContain(token)
    await runPostStep(run, root)
    expect(leftovers(run)).toEqual([])
  })

  it('fails on a helper that writes into a root-owned folder as uid 10001, and pushes nothing', async () => {
    const repository = uniqueRepository(mustBeUp(stack), 'i17-fail')
    const root = workspace()
    const run = await runAction(inputs(repository, { 'sandbox-commands': 'prepare-cache\nproject-verify' }), root)
    expect(run.exitCode).toBe(1)
    expect(errors(run)).toContainEqual(
      expect.stringMatching(
        /^Sandbox command 'prepare-cache' exited with code 1\. It ran as the agent runs commands: .* Last output lines \(redacted\):\nrefreshing \/opt\/cache\n.*Permission denied$/s
      )
    )
    expect(run.summary).toContain('| Sandbox commands | ❌ `prepare-cache` exited with code 1; 1 not run')
    expect(run.summary).toContain('| `project-verify` | ⏭️ not run | |')
    expect(run.outputs.pushed).toBe('false')
    expect(run.outputs['ready-seconds']).toBeUndefined()
    expect(await new RegistryClient(mustBeUp(stack)).listTags(nameOf(repository))).toEqual([])
    await runPostStep(run, root)
    expect(leftovers(run)).toEqual([])
  })

  it('fails above max-ready-seconds, and suggests the helpers when sandbox-commands is empty', async () => {
    const repository = uniqueRepository(mustBeUp(stack), 'i17-slow')
    const root = workspace()
    const run = await runAction(inputs(repository, { 'max-ready-seconds': '0.01' }), root)
    expect(run.exitCode).toBe(1)
    expect(errors(run)).toContainEqual(expect.stringMatching(/^The sandbox took [\d.]+ s to be ready for a task: .*max-ready-seconds is 0\.01\./))
    expect(run.annotations.filter(a => a.level === 'notice').map(a => a.message)).toContainEqual(
      expect.stringMatching(/^The image ships helper\(s\) prepare-cache, project-verify: set sandbox-commands to run them/)
    )
    expect(run.outputs.pushed).toBe('false')
    expect(await new RegistryClient(mustBeUp(stack)).listTags(nameOf(repository))).toEqual([])
    await runPostStep(run, root)
  })

  it("the example's prepare-example links its /opt seed into the empty workspace, in the example workflow's own way, and is pushed", async () => {
    const repository = uniqueRepository(mustBeUp(stack), 'i17-example')
    const root = scratchDir('i17-example-')
    cpSync(path.resolve('examples/sandbox'), path.join(root, 'image'), { recursive: true })
    // The stand-in server with its command API in place of the base's, so the helpers run as the agent runs them.
    cpSync(path.resolve('__tests__/support/stand-in-server'), path.join(root, 'image', 'stand-in'), { recursive: true })
    appendFileSync(path.join(root, 'image', '.dockerignore'), '!stand-in/\n')
    const dockerfile = path.join(root, 'image', 'Dockerfile')
    writeFileSync(
      dockerfile,
      readFileSync(dockerfile, 'utf8').replace(
        /\nUSER openhands\s*$/,
        '\nCOPY stand-in/openhands-agent-server /usr/local/bin/openhands-agent-server\nCOPY stand-in/handle /usr/local/lib/stand-in/handle\n' +
          'COPY stand-in/routes/ /usr/local/lib/stand-in/routes/\nUSER openhands\n'
      )
    )
    const run = await runAction(
      inputs(repository, { 'build-args': `BASE_REPOSITORY=${REGISTRY}/${BASE_REPOSITORY}`, 'sandbox-commands': 'prepare-example\nworkspace-verify' }),
      root
    )
    expect(errors(run)).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(run.summary).toContain('linked /opt/example-seed into /workspace/project/example')
    expect(run.summary).toContain('workspace ok')
    expect(Number(run.outputs['ready-seconds'])).toBeGreaterThan(0)
    expect(run.outputs.pushed).toBe('true')
    await runPostStep(run, root)
  })
})
