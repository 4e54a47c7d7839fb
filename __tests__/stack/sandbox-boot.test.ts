/**
 * The boot as the release's runtime spec starts a sandbox, and what the sandbox hides or locks, on the real stack
 * with stand-in bases (support/stand-in-server.ts) whose server honours --port, the session key and the
 * environment, and can be slow or hungry. Every failing case must push nothing and leave no container or volume.
 */
import { jest } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { builtInRuntime } from '../../src/release/runtime-spec.js'
import { bootCheck, type BootedSandbox, type BootOptions } from '../../src/verify/boot.js'
import { runAction, runPostStep, type ActionRun } from '../support/action-runner.js'
import { dockerPusher, uniqueRepository, type Pusher } from '../support/docker-push.js'
import { scratchDir } from '../support/scratch.js'
import { BASE_REPOSITORY, REGISTRY, RegistryClient, e2eEnabled, mustBeUp, stackState } from '../support/stack.js'
import { standInBase, type StandInBehaviour } from '../support/stand-in-server.js'

const stack = await stackState()
const describeE2E = e2eEnabled(stack) ? describe : describe.skip
jest.setTimeout(300_000)

const stackBase = `${REGISTRY}/${BASE_REPOSITORY}:1.23.0-python`
const CA = '/etc/openhands/ca-bundle/ca-bundle.crt'
let pusher: Pusher
/** The plain stand-in base (no baked behaviour), pushed once: the repository given as base-image. */
let plain: string

/** A stand-in base with `behaviour`, pushed as <repository>:1.23.0-python. */
async function pushStandIn(behaviour: StandInBehaviour = {}): Promise<string> {
  const repository = uniqueRepository(mustBeUp(stack), 'i15-standin')
  const { dockerfile, options } = standInBase(stackBase, behaviour)
  await pusher.push(`${repository}:1.23.0-python`, dockerfile, options)
  return repository
}

function workspaceWith(dockerfile: string, files: Record<string, string> = {}): string {
  const workspace = scratchDir('i15-sandbox-')
  for (const [name, text] of Object.entries({ Dockerfile: dockerfile, ...files })) {
    mkdirSync(path.dirname(path.join(workspace, 'image', name)), { recursive: true })
    writeFileSync(path.join(workspace, 'image', name), text, { mode: name.startsWith('prepare-') ? 0o755 : 0o644 })
  }
  return workspace
}

function inputs(baseImage: string, repository: string, extra: Record<string, string> = {}): Record<string, string> {
  const { username, password } = mustBeUp(stack)
  return {
    'agent-server-version': '1.23.0',
    'base-image': baseImage,
    context: 'image',
    repository,
    'registry-username': username,
    'registry-password': password,
    ...extra
  }
}

const nameOf = (repository: string): string => repository.slice(REGISTRY.length + 1)
const annotations = (run: ActionRun, level: 'error' | 'warning'): ActionRun['annotations'] => run.annotations.filter(a => a.level === level)

/** The boot-check container and volume of a run (named in its log) or of an in-process boot that are still there. */
function leftovers(from: ActionRun | string): string[] {
  const name = typeof from === 'string' ? from : (/\(container (ohe-verify-[0-9a-f]+)\)/.exec(from.log)?.[1] ?? 'ohe-verify-none')
  // Other runs on the shared engine have boot containers of their own: only this one's name counts.
  const containers = execFileSync('docker', ['ps', '-a', '--filter', `name=^${name}$`, '--format', 'container {{.Names}}'])
    .toString()
    .trim()
  const volume = spawnSync('docker', ['volume', 'inspect', name], { stdio: 'ignore' }).status === 0 ? [`volume ${name}`] : []
  return [...containers.split('\n'), ...volume].filter(Boolean)
}

/** An in-process boot of `image` with the built-in spec (or `spec`), 256Mi and 1 CPU, as the verify phase calls it. */
function bootOptions(image: string, spec?: BootOptions['spec']): BootOptions {
  const builtIn = builtInRuntime('the test gives it')
  return {
    image,
    target: '1.23.0',
    spec: spec ?? builtIn.spec,
    specSource: builtIn.source,
    memoryBytes: 256 * 2 ** 20,
    cpus: 1,
    timeoutSeconds: 60,
    workDir: scratchDir('i15-boot-'),
    redact: text => text
  }
}

async function expectNothingPushed(run: ActionRun, repository: string, workspace: string): Promise<void> {
  expect(run.exitCode).toBe(1)
  expect(run.outputs.pushed).toBe('false')
  expect(await new RegistryClient(mustBeUp(stack)).listTags(nameOf(repository))).toEqual([])
  await runPostStep(run, workspace)
  expect(leftovers(run)).toEqual([])
}

describeE2E('the boot as OHE starts a sandbox, and what the sandbox hides', () => {
  beforeAll(async () => {
    pusher = await dockerPusher(mustBeUp(stack))
    plain = await pushStandIn()
  })
  afterAll(async () => {
    await pusher.close()
  })

  it('a baked /workspace (a RUN the Dockerfile check cannot see) fails after the build, on its line, and pushes nothing', async () => {
    const repository = uniqueRepository(mustBeUp(stack), 'i15-baked')
    const workspace = workspaceWith(
      `FROM ${plain}:1.23.0-python\nUSER root\nRUN mkdir -p /workspace/project/repo && echo hi > /workspace/project/repo/README.md && chown -R openhands /workspace\nUSER openhands\n`
    )
    const run = await runAction(inputs(plain, repository), workspace)
    const errors = annotations(run, 'error').filter(a => a.message.startsWith('The image has'))
    expect(errors).toHaveLength(1)
    expect(errors[0]?.properties).toEqual(expect.objectContaining({ file: 'image/Dockerfile', line: '3' }))
    expect(errors[0]?.message).toContain(
      'The image has 1 file(s) under /workspace (/workspace/project/repo/README.md), added by RUN mkdir -p /workspace/project/repo'
    )
    expect(errors[0]?.message).toContain('/opt/<name>-seed')
    expect(run.summary).toContain("1 file(s) under /workspace, which the sandbox's volume hides")
    await expectNothingPushed(run, repository, workspace)
  })

  it('a COPY into /workspace fails before the build, on its line', async () => {
    const repository = uniqueRepository(mustBeUp(stack), 'i15-copy')
    const workspace = workspaceWith(`FROM ${plain}:1.23.0-python\nCOPY repo /workspace/project/repo\n`, { 'repo/README.md': 'hi\n' })
    const run = await runAction(inputs(plain, repository), workspace)
    const errors = annotations(run, 'error').filter(a => a.message.startsWith('COPY into /workspace/project/repo'))
    expect(errors.map(a => a.properties.line)).toEqual(['2'])
    expect(run.log).toContain('nothing was built or pushed')
    await expectNothingPushed(run, repository, workspace)
  })

  it('the /opt seed with a prepare-* helper passes: booted with the spec, limits and peak memory in the summary', async () => {
    const repository = uniqueRepository(mustBeUp(stack), 'i15-seed')
    const workspace = workspaceWith(
      `FROM ${plain}:1.23.0-python\nUSER root\nCOPY repo /opt/repo-seed\nCOPY prepare-repo /usr/local/bin/prepare-repo\n` +
        'RUN chown -R openhands:openhands /opt/repo-seed\nUSER openhands\nWORKDIR /workspace/project\n',
      { 'repo/README.md': 'seed\n', 'prepare-repo': '#!/bin/sh\nset -e\nmkdir -p /workspace/project\ncp -r /opt/repo-seed /workspace/project/repo\n' }
    )
    const run = await runAction(inputs(plain, repository, { 'sandbox-memory': '512Mi', 'sandbox-cpus': '500m' }), workspace)
    if (process.env.I15_DEBUG) console.log(run.log, run.summary)
    expect(annotations(run, 'error')).toEqual([])
    expect(annotations(run, 'warning')).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(run.outputs.pushed).toBe('true')
    expect(run.log).toContain(
      'Runtime spec (how the sandbox is started): built-in from openhands/0.50.0 (agent-server-version is pinned, so no OHE release was read)'
    )
    expect(run.summary).toMatch(/Boot as OHE starts it \| ✅ healthy in \d+(\.\d+)? s, sdk_version 1\.23\.0; peak memory [\d.]+(Ki|Mi) of 512Mi \|/)
    expect(run.summary).toContain(
      '| Runtime spec | built-in from openhands/0.50.0 (agent-server-version is pinned, so no OHE release was read); limits 512Mi, 0.5 CPU |'
    )
    expect(run.summary).toContain('| Files the sandbox hides or locks | ✅ nothing under /workspace; HOME /home/openhands |')
    expect(run.log).toMatch(/\(container ohe-verify-[0-9a-f]+\)/)
    await runPostStep(run, workspace)
    expect(leftovers(run)).toEqual([])
  })

  it('root-owned files under HOME warn with the paths, the owner and the line; the image is still pushed', async () => {
    const repository = uniqueRepository(mustBeUp(stack), 'i15-home')
    const workspace = workspaceWith(
      `FROM ${plain}:1.23.0-python\nUSER root\nRUN mkdir -p /home/openhands/.cache/tool && echo cfg > /home/openhands/.cache/tool/config\nUSER openhands\n`
    )
    const run = await runAction(inputs(plain, repository), workspace)
    const warnings = annotations(run, 'warning').filter(a => a.message.includes('not writable'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]?.properties).toEqual(expect.objectContaining({ file: 'image/Dockerfile', line: '3' }))
    expect(warnings[0]?.message).toContain(
      "3 path(s) under HOME /home/openhands or /tmp are not writable by the sandbox's user 10001:10001 " +
        '(/home/openhands/.cache, /home/openhands/.cache/tool, /home/openhands/.cache/tool/config; owned by uid 0)'
    )
    expect(run.exitCode).toBe(0)
    expect(run.outputs.pushed).toBe('true')
    await runPostStep(run, workspace)
  })

  it('a server that needs more memory than the limit fails with an out-of-memory message, and pushes nothing', async () => {
    const hungry = await pushStandIn({ hogMegabytes: 300 })
    const repository = uniqueRepository(mustBeUp(stack), 'i15-oom')
    const workspace = workspaceWith(`FROM ${hungry}:1.23.0-python\nRUN true\n`)
    const run = await runAction(inputs(hungry, repository, { 'sandbox-memory': '64Mi', 'boot-timeout': '60' }), workspace)
    const boot = annotations(run, 'error').find(a => a.message.startsWith('Boot check failed'))
    expect(boot?.message).toContain(
      "Boot check failed at memory: out of memory: the server was killed (exit code 137) by the kernel for going over the sandbox's memory limit of 64Mi"
    )
    expect(run.summary).toContain('the sandbox ran out of memory under its 64Mi limit')
    await expectNothingPushed(run, repository, workspace)
  })

  it('a /server_info slower than the probe timeout (1 s) fails at boot-timeout, and pushes nothing', async () => {
    const slow = await pushStandIn({ serverInfoDelaySeconds: 2 })
    const repository = uniqueRepository(mustBeUp(stack), 'i15-slow')
    const workspace = workspaceWith(`FROM ${slow}:1.23.0-python\nRUN true\n`)
    const run = await runAction(inputs(slow, repository, { 'boot-timeout': '5' }), workspace)
    const boot = annotations(run, 'error').find(a => a.message.startsWith('Boot check failed'))
    expect(boot?.message).toContain(
      "Boot check failed at /server_info: /server_info did not answer 200 within the startup probe's 1 s timeout before boot-timeout (5 s; last: no answer within 1 s)"
    )
    await expectNothingPushed(run, repository, workspace)
  })

  it("the spec's environment, working dir, user, fs group, empty /workspace and CA bundle reach the process; the key guards /api", async () => {
    const tag = `ohe-i15-standin:${randomBytes(4).toString('hex')}`
    const workspaceRoute =
      'serve_workspace() {\n  touch /workspace/probe && written=yes || written=no\n  touch probe && here=yes || here=no\n' +
      '  respond \'200 OK\' "{\\"entries\\":$(json_string "$(ls -A /workspace | grep -v "^probe$" | tr "\\n" " ")"),\\"owner\\":$(json_string "$(stat -c %u:%g:%a /workspace)"),\\"written\\":\\"$written\\",' +
      '\\"workingDir\\":$(json_string "$(stat -c %u:%g:%a .)"),\\"writtenHere\\":\\"$here\\",\\"ca\\":$(json_string "$(head -c 10 "$SSL_CERT_FILE")")}"\n}\n' +
      'route GET /api/stand-in/workspace serve_workspace\n'
    const { dockerfile, options } = standInBase(stackBase, {}, { 'workspace.sh': workspaceRoute })
    await pusher.load(tag, dockerfile, options)
    const { spec } = builtInRuntime('the test gives it')
    const seen: {
      sandbox?: BootedSandbox
      process?: { cwd: string; id: string; env: Record<string, string> }
      workspace?: Record<string, string>
      denied?: number
      port?: string
    } = {}
    const report = await bootCheck({
      ...bootOptions(tag, { ...spec, fsGroup: 10002, environment: { ...spec.environment, STAND_IN_MARK: 'from the spec' } }),
      afterHealthy: async sandbox => {
        const headers = { 'X-Session-API-Key': sandbox.sessionKey }
        seen.sandbox = sandbox
        seen.process = (await (await fetch(`${sandbox.baseUrl}/api/stand-in/process`, { headers })).json()) as typeof seen.process
        seen.workspace = (await (await fetch(`${sandbox.baseUrl}/api/stand-in/workspace`, { headers })).json()) as Record<string, string>
        seen.denied = (await fetch(`${sandbox.baseUrl}/api/stand-in/process`)).status
        seen.port = execFileSync('docker', ['port', sandbox.container.name]).toString().trim()
      }
    })
    expect(report).toMatchObject({ ran: true, ok: true, sdkVersion: '1.23.0', peakMemorySource: 'cgroup', memoryLimit: 256 * 2 ** 20, cpus: 1 })
    expect(report.peakMemory).toBeGreaterThan(0)
    const sandbox = seen.sandbox as BootedSandbox
    expect(sandbox).toMatchObject({ workingDir: '/workspace/project', user: { uid: 10001, gid: 10001, fsGroup: 10002 } })
    expect(sandbox.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(sandbox.healthyAt).toBeGreaterThanOrEqual(sandbox.startedAt)
    expect(seen.process?.cwd).toBe('/workspace/project')
    expect(seen.process?.id).toBe('uid=10001(openhands) gid=10001(openhands) groups=10001(openhands),10002')
    expect(seen.process?.env).toMatchObject({
      STAND_IN_MARK: 'from the spec',
      OH_CONVERSATIONS_PATH: '/workspace/conversations',
      OH_WEBHOOKS_0_BASE_URL: '',
      SSL_CERT_FILE: CA,
      OH_SESSION_API_KEYS_0: sandbox.sessionKey
    })
    // Empty but for the working dir; the volume root's and the fs group's with setgid, writable through the group; the
    // working dir the runtime user's, so the agent (and a prepare-* helper) can write where it starts.
    expect(seen.workspace).toEqual({
      entries: 'project ',
      owner: '0:10002:2775',
      written: 'yes',
      workingDir: '10001:10002:2775',
      writtenHere: 'yes',
      ca: expect.stringMatching(/\S/) as unknown as string
    })
    expect(seen.denied).toBe(401)
    expect(seen.port).toBe(`60000/tcp -> ${sandbox.baseUrl.replace('http://', '')}`)
    expect(leftovers(sandbox.container.name)).toEqual([])
  })

  it('a deferred removal: the report comes back before the container is gone, and awaiting the removal leaves nothing', async () => {
    const tag = `ohe-i15-standin:${randomBytes(4).toString('hex')}`
    const { dockerfile, options } = standInBase(stackBase)
    await pusher.load(tag, dockerfile, options)
    const removals: Array<Promise<void>> = []
    let removed = false
    let name = ''
    const report = await bootCheck({
      ...bootOptions(tag),
      // The engine's platform as the verify phase asks it beside the layer read.
      platform: Promise.resolve(undefined),
      afterHealthy: async sandbox => {
        name = sandbox.container.name
      },
      deferRemoval: removal => removals.push(removal.then(() => void (removed = true)))
    })
    expect(report).toMatchObject({ ran: true, ok: true, sdkVersion: '1.23.0' })
    expect(removals).toHaveLength(1)
    expect(removed).toBe(false)
    await Promise.all(removals)
    expect(leftovers(name)).toEqual([])
    execFileSync('docker', ['image', 'rm', tag], { stdio: 'ignore' })
  })
})
