/**
 * main.run() in-process: the whole pipeline (inputs, checks, scan, build, push, contract, outputs, summary, comment)
 * with a fake docker that pushes into a memory registry. The same paths against a real engine and registry are in
 * __tests__/stack/action.
 */
import { seededStream } from './support/seeded.js'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import { BASE_DIGEST_LABEL, REVISION_LABEL } from '../src/buildx/labels.js'
import { tempDir } from './buildx/support/capture.js'
import { AGENT_SERVER_CONFIG, fakeDocker } from './support/fake-docker.js'
import { runInProcess, SHA } from './support/in-process.js'
import { startMemoryRegistry, type MemoryRegistry } from './support/memory-registry.js'

const draw = seededStream('main.test')
let registry: MemoryRegistry
let work: ReturnType<typeof tempDir>
let baseDigest: string

beforeAll(async () => {
  registry = await startMemoryRegistry()
  baseDigest = registry.putImage('openhands/agent-server', '1.23.0-python', AGENT_SERVER_CONFIG)
})
afterAll(() => registry.close())
beforeEach(() => {
  work = tempDir('main-test-')
})
afterEach(() => work.remove())

const DOCKERFILE = (version = '1.23.0'): string =>
  [`FROM ${registry.host}/openhands/agent-server:${version}-python`, 'USER root', 'RUN echo baked > /opt/tool', 'USER openhands', ''].join('\n')

function workspace(dockerfile = DOCKERFILE(), files: Record<string, string> = {}): string {
  const dir = path.join(work.dir, 'repo')
  mkdirSync(dir, { recursive: true })
  writeFileSync(path.join(dir, 'Dockerfile'), dockerfile)
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text)
  return dir
}

const inputs = (changes: Record<string, string> = {}): Record<string, string> => ({
  'agent-server-version': '1.23.0',
  'base-image': `${registry.host}/openhands/agent-server`,
  repository: `${registry.host}/acme/sandbox`,
  'registry-username': 'ci',
  'registry-password': `pw-${draw(6).toString('hex')}`,
  'github-token': 'gh-token',
  ...changes
})

describe('main.run in-process', () => {
  test('checks, scans, builds, pushes and reports the Admin Console values', async () => {
    const docker = fakeDocker(registry)
    const given = inputs()
    const result = await runInProcess(given, { workspace: workspace(), docker })

    expect(result.exitCode).toBe(0)
    const tag = `1.23.0-${SHA.slice(0, 7)}`
    expect(result.outputs).toMatchObject({
      'ohe-release': '',
      'agent-server-version': '1.23.0',
      'base-image': `${registry.host}/openhands/agent-server:1.23.0-python`,
      findings: '0',
      repository: `${registry.host}/acme/sandbox`,
      tag,
      image: `${registry.host}/acme/sandbox:${tag}`,
      pushed: 'true'
    })
    expect(result.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(registry.tags('acme/sandbox')).toContain(tag)
    // The password reaches docker through stdin only, never argv.
    const login = docker.calls.find(call => call.args[0] === 'login')
    expect(login?.input).toBe(given['registry-password'])
    expect(docker.calls.flatMap(call => call.args).join(' ')).not.toContain(given['registry-password'])
    // The pushed image carries its provenance, with the base digest the registry reported.
    expect(registry.configOf('acme/sandbox', tag)?.Labels).toMatchObject({ [REVISION_LABEL]: SHA, [BASE_DIGEST_LABEL]: baseDigest })
    expect(result.summary).toContain(`| Sandbox Image Tag | \`${tag}\` |`)
    // The same values as a KOTS ConfigValues file under RUNNER_TEMP (gone with this harness's scratch folder; its content
    // is read in the skip-unchanged test), and the command that applies it.
    expect(path.basename(path.dirname(result.outputs['config-values'] ?? ''))).toBe('temp')
    expect(path.basename(result.outputs['config-values'] ?? '')).toBe(`ohe-config-values-${tag}.yaml`)
    expect(result.summary).toContain(
      `kubectl kots set config <app-slug> --config-file ohe-config-values-${tag}.yaml --merge --deploy -n <admin-console-namespace>`
    )
    // No engine here to run the image in: the summary says it went out unverified rather than staying silent.
    expect(result.summary).toContain('⚠️ Not verified: no Docker engine answers here (a remote builder?)')
    expect(result.annotations.filter(a => a.level === 'error')).toEqual([])
    // The login went into this run's own docker config (removed after the step): nothing for the post step to log out.
    expect(result.state['build-registry']).toBeUndefined()
    expect(result.state['docker-config-dir']).toBeTruthy()
  })

  test('a failed Dockerfile check fails with an annotation on its line, and nothing is built', async () => {
    const docker = fakeDocker(registry)
    const result = await runInProcess(inputs(), { workspace: workspace(DOCKERFILE('1.22.0')), docker })

    expect(result.exitCode).toBe(1)
    const errors = result.annotations.filter(a => a.level === 'error')
    expect(errors[0]?.properties).toMatchObject({ file: 'Dockerfile', line: '1' })
    expect(errors.at(-1)?.message).toBe('1 Dockerfile check(s) failed (see the annotations); nothing was built or pushed.')
    expect(docker.calls).toEqual([])
    expect(result.outputs.pushed).toBe('false')
    expect(result.outputs.digest).toBeUndefined()
  })

  test('a secret in the build context fails the run before anything is built', async () => {
    const token = `npm_${draw(18).toString('hex')}`
    const docker = fakeDocker(registry)
    const result = await runInProcess(inputs(), { workspace: workspace(DOCKERFILE(), { '.env': `API_TOKEN=${token}\n` }), docker })

    expect(result.exitCode).toBe(1)
    expect(result.outputs.findings).toBe('1')
    expect(result.annotations.some(a => a.level === 'error' && a.properties.file === '.env')).toBe(true)
    expect(result.log).not.toContain(token)
    expect(result.summary).not.toContain(token)
    expect(docker.builds()).toEqual([])
  })

  test('fail-on-findings: false reports a secret as a warning, writes SARIF without the value, and builds', async () => {
    const token = `npm_${draw(18).toString('hex')}`
    const docker = fakeDocker(registry)
    const dir = workspace(DOCKERFILE(), { '.env': `API_TOKEN=${token}\n` })
    const result = await runInProcess(inputs({ 'fail-on-findings': 'false', sarif: 'out/scan.sarif', push: 'false' }), { workspace: dir, docker })

    expect(result.exitCode).toBe(0)
    expect(result.annotations.filter(a => a.properties.file === '.env').map(a => a.level)).toEqual(['warning'])
    const sarif = readFileSync(path.join(dir, 'out', 'scan.sarif'), 'utf8')
    expect(JSON.parse(sarif).runs[0].results).toHaveLength(1)
    expect(JSON.parse(sarif).runs[0].results[0].level).toBe('warning')
    expect(sarif).not.toContain(token)
    expect(docker.builds()).toHaveLength(1)
  })

  test('scan: false skips the scan and says so', async () => {
    const docker = fakeDocker(registry)
    const result = await runInProcess(inputs({ scan: 'false', push: 'false' }), { workspace: workspace(), docker })
    expect(result.exitCode).toBe(0)
    expect(result.log).toContain('scan is false: the build context was not scanned for secrets.')
    expect(result.outputs.findings).toBeUndefined()
  })

  test('build: false runs the checks and the scan only', async () => {
    const docker = fakeDocker(registry)
    const result = await runInProcess(inputs({ build: 'false', repository: '' }), { workspace: workspace(), docker })
    expect(result.exitCode).toBe(0)
    expect(result.log).toContain('build is false: checks done, nothing built.')
    expect(docker.calls).toEqual([])
  })

  test('push: false builds into the cache only (logged in, for a private base) and claims no image', async () => {
    const docker = fakeDocker(registry)
    const result = await runInProcess(inputs({ push: 'false' }), { workspace: workspace(), docker })
    expect(result.exitCode).toBe(0)
    expect(docker.calls.map(call => call.args[0])).toEqual(['login', 'buildx'])
    expect(docker.builds()[0]).toContain('type=cacheonly')
    expect(result.outputs.pushed).toBe('false')
    expect(result.outputs.repository).toBeUndefined()
  })

  test('a failed build quotes buildx with every secret value redacted, and claims nothing', async () => {
    const secret = `s-${draw(12).toString('hex')}`
    const docker = fakeDocker(registry, {
      build: () => ({
        exitCode: 1,
        stdout: '',
        stderr: [`#7 0.2 token is ${secret}`, 'ERROR: failed to solve: process "/bin/sh -c exit 1" did not complete successfully: exit code: 1']
      })
    })
    const result = await runInProcess(inputs({ secrets: `tool_token=${secret}` }), { workspace: workspace(), docker })
    expect(result.exitCode).toBe(1)
    expect(result.summary).toContain('docker buildx build failed (exit code 1)')
    expect(result.summary).not.toContain(secret)
    expect(result.outputs.pushed).toBe('false')
    expect(result.outputs.digest).toBeUndefined()
  })

  test('a push without a digest in the metadata is not claimed as pushed', async () => {
    const docker = fakeDocker(registry, { noDigest: true })
    const result = await runInProcess(inputs({ tag: 'no-digest' }), { workspace: workspace(), docker })
    expect(result.exitCode).toBe(0)
    expect(result.annotations.some(a => a.level === 'warning' && a.message.includes('reported no image digest'))).toBe(true)
    expect(result.outputs.pushed).toBe('false')
    expect(result.outputs.tag).toBeUndefined()
  })

  test('an image that replaced the entrypoint is reported pushed but fails the contract', async () => {
    const docker = fakeDocker(registry, { baseConfig: { ...AGENT_SERVER_CONFIG, Entrypoint: ['/bin/sh'] } })
    const result = await runInProcess(inputs({ tag: 'broken' }), { workspace: workspace(), docker })
    expect(result.exitCode).toBe(1)
    expect(result.outputs.pushed).toBe('true')
    expect(result.outputs.tag).toBe('broken')
    expect(result.log).toMatch(/was pushed but breaks the agent-server contract/)
    // No file that would deploy it.
    expect(result.outputs['config-values']).toBeUndefined()
  })

  test('skip-unchanged keeps an image built from the same base and revision', async () => {
    const kept = registry.putImage('acme/kept', 'stable', { ...AGENT_SERVER_CONFIG, Labels: { [REVISION_LABEL]: SHA, [BASE_DIGEST_LABEL]: baseDigest } })
    const docker = fakeDocker(registry)
    const dir = workspace()
    const given = inputs({ repository: `${registry.host}/acme/kept`, tag: 'stable', 'skip-unchanged': 'true', 'config-values-file': 'out/kots.yaml' })
    const result = await runInProcess(given, { workspace: dir, docker })
    expect(result.exitCode).toBe(0)
    expect(docker.builds()).toEqual([])
    expect(result.outputs).toMatchObject({ tag: 'stable', digest: kept, pushed: 'false' })
    expect(result.outputs['config-values']).toBe(path.join(dir, 'out', 'kots.yaml'))
    expect(parse(readFileSync(path.join(dir, 'out', 'kots.yaml'), 'utf8'))).toMatchObject({
      spec: { values: { custom_sandbox_image_repository: { value: `${registry.host}/acme/kept` }, custom_sandbox_image_tag: { value: 'stable' } } }
    })
  })

  test('a bad input fails in one line, in the log and the summary', async () => {
    const docker = fakeDocker(registry)
    const result = await runInProcess(inputs({ match: 'major' }), { workspace: workspace(), docker })
    expect(result.exitCode).toBe(1)
    expect(result.annotations.map(a => a.message)).toEqual(["match 'major' is not supported. Expected exact or minor."])
    expect(result.summary).toContain("match 'major' is not supported")
    expect(docker.calls).toEqual([])
  })

  test('on a pull request the summary is also the comment, sent with the token to this GitHub API', async () => {
    const docker = fakeDocker(registry)
    const result = await runInProcess(inputs({ push: 'false' }), {
      workspace: workspace(),
      docker,
      pullRequest: { owner: 'acme', repo: 'sandbox-images', number: 7 },
      env: { GITHUB_API_URL: 'https://ghes.example/api/v3' }
    })
    expect(result.comments).toHaveLength(1)
    expect(result.comments[0]).toMatchObject({ token: 'gh-token', apiUrl: 'https://ghes.example/api/v3' })
    expect(result.summary).toContain(result.comments[0]?.markdown.trim())
    expect(result.comments[0]?.marker).toContain('Dockerfile')
  })
})
