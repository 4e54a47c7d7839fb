/**
 * main.run() in-process with ohe-release: resolved through a stand-in GitHub API (GITHUB_API_URL) or a release-map
 * file, the outputs, the summary's fit range, and the labels of the image the fake docker pushed into a memory registry.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { AGENT_SERVER_VERSION_LABEL, OHE_RELEASE_LABEL } from '../../src/buildx/labels.js'
import { tempDir } from '../buildx/support/capture.js'
import { AGENT_SERVER_CONFIG, fakeDocker } from '../support/fake-docker.js'
import { runInProcess, SHA } from '../support/in-process.js'
import { startMemoryRegistry, type MemoryRegistry } from '../support/memory-registry.js'
import { historyFiles } from './fixtures.js'
import { startStandInGitHub, type StandInGitHub } from './stand-in-github.js'

let registry: MemoryRegistry
let api: StandInGitHub
let work: ReturnType<typeof tempDir>
beforeAll(async () => {
  registry = await startMemoryRegistry()
  registry.putImage('openhands/agent-server', '1.36.0-python', AGENT_SERVER_CONFIG)
  registry.putImage('openhands/agent-server', '1.41.0-python', AGENT_SERVER_CONFIG)
  api = await startStandInGitHub({ repository: 'OpenHands/OpenHands-Cloud', releases: historyFiles(), pageSize: 4 })
})
afterAll(async () => {
  await api.close()
  registry.close()
})
beforeEach(() => {
  work = tempDir('main-release-')
})
afterEach(() => work.remove())

function workspace(files: Record<string, string>): string {
  const dir = path.join(work.dir, 'repo')
  mkdirSync(dir, { recursive: true })
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text)
  return dir
}

const inputs = (changes: Record<string, string>): Record<string, string> => ({
  'base-image': `${registry.host}/openhands/agent-server`,
  repository: `${registry.host}/acme/sandbox-${randomBytes(3).toString('hex')}`,
  'registry-username': 'ci',
  'registry-password': `pw-${randomBytes(6).toString('hex')}`,
  'github-token': 'gh-token',
  ...changes
})

const argDockerfile = () => `ARG AGENT_SERVER_VERSION=1.22.0\nFROM ${registry.host}/openhands/agent-server:\${AGENT_SERVER_VERSION}-python\nRUN echo x\n`

describe('main.run with ohe-release', () => {
  test('through the GitHub API: 0.23.1 ships 1.36.0; outputs, fit range and both labels', async () => {
    const given = inputs({ 'ohe-release': '0.23.1' })
    const result = await runInProcess(given, {
      workspace: workspace({ Dockerfile: argDockerfile() }),
      docker: fakeDocker(registry),
      env: { GITHUB_API_URL: api.url }
    })
    expect(result.annotations.filter(a => a.level === 'error')).toEqual([])
    expect(result.exitCode).toBe(0)
    const tag = `1.36.0-${SHA.slice(0, 7)}`
    expect(result.outputs).toMatchObject({ 'ohe-release': '0.23.1', 'agent-server-version': '1.36.0', tag, pushed: 'true' })
    expect(result.summary).toContain('- Fits: agent-server 1.36.0: OHE 0.16.2 to 0.33.0')
    const name = (given.repository ?? '').slice(registry.host.length + 1)
    expect(registry.configOf(name, tag)?.Labels).toMatchObject({ [AGENT_SERVER_VERSION_LABEL]: '1.36.0', [OHE_RELEASE_LABEL]: '0.23.1' })
  })

  test('through a release-map file: latest is its newest release; no API is asked', async () => {
    const map = '"0.45.0": 1.41.0-python\n"0.50.0": 1.41.0-python\n'
    const result = await runInProcess(inputs({ 'ohe-release': 'latest', 'release-map': 'ohe-map.yaml' }), {
      workspace: workspace({ Dockerfile: argDockerfile(), 'ohe-map.yaml': map }),
      docker: fakeDocker(registry)
    })
    expect(result.exitCode).toBe(0)
    expect(result.outputs).toMatchObject({ 'ohe-release': '0.50.0', 'agent-server-version': '1.41.0', pushed: 'true' })
    expect(result.summary).toContain('- Fits: agent-server 1.41.0: OHE 0.45.0 to 0.50.0')
  })

  test('an unknown release fails with one line before anything is built', async () => {
    const docker = fakeDocker(registry)
    const result = await runInProcess(inputs({ 'ohe-release': '0.46.0' }), {
      workspace: workspace({ Dockerfile: argDockerfile() }),
      docker,
      env: { GITHUB_API_URL: api.url }
    })
    expect(result.exitCode).toBe(1)
    expect(result.annotations.filter(a => a.level === 'error').map(a => a.message)).toEqual([
      `ohe-release 0.46.0 is not an OHE release in OpenHands/OpenHands-Cloud at ${api.url} (nearest: 0.34.0, 0.45.0, 0.50.0): set ohe-release to one of its releases, e.g. 0.50.0.`
    ])
    expect(docker.calls.filter(call => call.args.includes('build'))).toEqual([])
    expect(result.outputs.pushed).toBe('false')
  })
})
