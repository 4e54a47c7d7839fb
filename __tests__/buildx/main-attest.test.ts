/**
 * provenance and sbom through main.run() in-process (fake docker, memory registry): the buildx push gets the
 * attestation arguments the builder and engine can keep, and the summary says what was attached. The real
 * attestations on Docker 26's containerd store are in __tests__/stack/attest-sign.test.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { DockerCommand } from '../../src/buildx/docker.js'
import { AGENT_SERVER_CONFIG, fakeDocker, type FakeDocker } from '../support/fake-docker.js'
import { runInProcess } from '../support/in-process.js'
import { startMemoryRegistry, type MemoryRegistry } from '../support/memory-registry.js'
import { tempDir } from './support/capture.js'

let registry: MemoryRegistry
let work: ReturnType<typeof tempDir>

beforeAll(async () => {
  registry = await startMemoryRegistry()
  registry.putImage('openhands/agent-server', '1.23.0-python', AGENT_SERVER_CONFIG)
})
afterAll(() => registry.close())
beforeEach(() => {
  work = tempDir('main-attest-')
})
afterEach(() => work.remove())

function workspace(): string {
  const dir = path.join(work.dir, 'repo')
  mkdirSync(dir, { recursive: true })
  writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${registry.host}/openhands/agent-server:1.23.0-python\nARG NPM_TOKEN\nUSER openhands\n`)
  return dir
}

/** The fake docker, answering buildx inspect and docker info as the given builder and engine do. */
function engine(driver: string, driverStatus: string): FakeDocker {
  const fake = fakeDocker(registry)
  const command: DockerCommand = async (args, options) => {
    if (args[0] === 'buildx' && args[1] === 'inspect') return { exitCode: 0, stderr: [], stdout: `Name:   default\nDriver: ${driver}\n` }
    if (args[0] === 'info' && args.includes('{{json .DriverStatus}}')) return { exitCode: 0, stderr: [], stdout: `${driverStatus}\n` }
    return fake.command(args, options)
  }
  return { ...fake, command }
}

const CLASSIC = '[["Backing Filesystem","extfs"],["Supports d_type","true"]]'
const CONTAINERD = '[["driver-type","io.containerd.snapshotter.v1"]]'
const env = { GITHUB_RUN_ID: '42', GITHUB_RUN_ATTEMPT: '1' }
const inputs = (changes: Record<string, string>): Record<string, string> => ({
  'agent-server-version': '1.23.0',
  'base-image': `${registry.host}/openhands/agent-server`,
  repository: `${registry.host}/acme/attested`,
  ...changes
})
const attestationArgs = (build: string[] | undefined): string[] =>
  (build ?? []).flatMap((arg, i) => (arg === '--provenance' || arg === '--sbom' ? [arg, build?.[i + 1] ?? ''] : []))

describe('provenance and sbom in a run', () => {
  test("the default on the containerd store: min mode with the run's URL as builder-id", async () => {
    const docker = engine('docker', CONTAINERD)
    const result = await runInProcess(inputs({}), { workspace: workspace(), docker, env })
    expect(result.exitCode).toBe(0)
    expect(attestationArgs(docker.builds()[0])).toEqual([
      '--provenance',
      'mode=min,builder-id=https://github.com/acme/sandbox-images/actions/runs/42/attempts/1',
      '--sbom',
      'false'
    ])
    expect(result.summary).toContain('- Attestations: SLSA provenance (mode=min), in the pushed image index.')
    expect(result.annotations.filter(a => a.level === 'notice' && a.message.includes('attestations'))).toEqual([])
  })

  test('the docker driver on the classic store: turned off, one notice, a clean push', async () => {
    const docker = engine('docker', CLASSIC)
    const result = await runInProcess(inputs({ sbom: 'true' }), { workspace: workspace(), docker, env })
    expect(result.exitCode).toBe(0)
    expect(attestationArgs(docker.builds()[0])).toEqual(['--provenance', 'false', '--sbom', 'false'])
    const notices = result.annotations.filter(a => a.level === 'notice' && a.message.includes('cannot keep attestations'))
    expect(notices.map(a => a.message)).toEqual([expect.stringMatching(/^The image is pushed without SLSA provenance \(mode=min\) and an SBOM: /)])
    expect(result.outputs.pushed).toBe('true')
  })

  test('max mode on a docker-container builder, with a secret-looking build arg: attached, and a warning naming it', async () => {
    const docker = engine('docker-container', CLASSIC)
    const token = 'npm_' + 'x'.repeat(8)
    const result = await runInProcess(inputs({ provenance: 'mode=max', sbom: 'true', 'build-args': `NPM_TOKEN=${token}` }), {
      workspace: workspace(),
      docker,
      env
    })
    expect(result.exitCode).toBe(0)
    expect(attestationArgs(docker.builds()[0])).toEqual([
      '--provenance',
      'mode=max,builder-id=https://github.com/acme/sandbox-images/actions/runs/42/attempts/1',
      '--sbom',
      'true'
    ])
    const warnings = result.annotations.filter(a => a.level === 'warning').map(a => a.message)
    expect(warnings.filter(message => message.includes('provenance mode=max records'))).toEqual([
      expect.stringMatching(/^build-args: NPM_TOKEN looks like a secret/)
    ])
    expect(result.summary).toContain('- Attestations: SLSA provenance (mode=max) and an SBOM, in the pushed image index.')
  })
})
