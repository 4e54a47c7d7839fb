/**
 * sign: true through main.run() in-process (fake docker, memory registry, fake cosign): what cosign is given, when it
 * runs, and what the outputs and the summary say. Real signing with cosign 2.5 is in __tests__/stack/attest-sign.test.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { DockerOptions, DockerRun } from '../../src/buildx/docker.js'
import type { CosignCommand } from '../../src/sign/sign.js'
import { tempDir } from '../buildx/support/capture.js'
import { AGENT_SERVER_CONFIG, fakeDocker } from '../support/fake-docker.js'
import { runInProcess } from '../support/in-process.js'
import { startMemoryRegistry, type MemoryRegistry } from '../support/memory-registry.js'
import { seededStream } from '../support/seeded.js'

const draw = seededStream('main-sign.test')
let registry: MemoryRegistry
let work: ReturnType<typeof tempDir>

beforeAll(async () => {
  registry = await startMemoryRegistry()
  registry.putImage('openhands/agent-server', '1.23.0-python', AGENT_SERVER_CONFIG)
})
afterAll(() => registry.close())
beforeEach(() => {
  work = tempDir('main-sign-')
})
afterEach(() => work.remove())

function workspace(): string {
  const dir = path.join(work.dir, 'repo')
  mkdirSync(dir, { recursive: true })
  writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${registry.host}/openhands/agent-server:1.23.0-python\nUSER openhands\n`)
  return dir
}

const inputs = (changes: Record<string, string> = {}): Record<string, string> => ({
  'agent-server-version': '1.23.0',
  'base-image': `${registry.host}/openhands/agent-server`,
  repository: `${registry.host}/acme/signed`,
  'registry-username': 'ci',
  'registry-password': `pw-${draw(6).toString('hex')}`,
  sign: 'true',
  ...changes
})

interface CosignCall {
  args: string[]
  env: Record<string, string>
}

/** A cosign that answers `version`, and `sign` with the given result; every call recorded with its environment. */
function fakeCosign(sign: Partial<DockerRun> = {}, missing = false): { command: CosignCommand; calls: CosignCall[] } {
  const calls: CosignCall[] = []
  const command: CosignCommand = async (args: string[], _options: DockerOptions, env: Record<string, string>) => {
    calls.push({ args, env })
    if (missing) return { exitCode: 127, stderr: ['Unable to locate executable file: cosign.'], stdout: '' }
    if (args[0] === 'version') return { exitCode: 0, stderr: [], stdout: 'GitVersion: v2.5.0\n' }
    return { exitCode: 0, stderr: [], stdout: '', ...sign }
  }
  return { command, calls }
}

// Made here: only its shape matters.
const pem = ['-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----', draw(48).toString('base64'), '-----END ENCRYPTED SIGSTORE PRIVATE KEY-----'].join('\n')
const oidcEnv = {
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.example/request',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: `runtime-${draw(8).toString('hex')}`,
  GITHUB_WORKFLOW_REF: 'acme/sandbox-images/.github/workflows/publish.yml@refs/heads/main'
}

describe('sign: true', () => {
  test('keyless with the OIDC token: cosign signs repository@digest after the push; image-ref and the verify command', async () => {
    const cosign = fakeCosign()
    const result = await runInProcess(inputs(), { workspace: workspace(), docker: fakeDocker(registry), cosign: cosign.command, env: oidcEnv })
    expect(result.exitCode).toBe(0)
    const imageRef = `${registry.host}/acme/signed@${result.outputs.digest ?? ''}`
    expect(result.outputs['image-ref']).toBe(imageRef)
    expect(cosign.calls.map(call => call.args)).toEqual([['version'], ['sign', '--yes', '--oidc-provider', 'github-actions', imageRef]])
    const env = cosign.calls[1]?.env ?? {}
    // cosign finds the token where the runner put it, and the run's own login through DOCKER_CONFIG.
    expect(env.ACTIONS_ID_TOKEN_REQUEST_TOKEN).toBe(oidcEnv.ACTIONS_ID_TOKEN_REQUEST_TOKEN)
    expect(path.basename(env.DOCKER_CONFIG ?? '')).toMatch(/^ohe-docker-config-/)
    expect(Object.keys(env).filter(name => name.startsWith('INPUT_'))).toEqual([])
    expect(result.summary).toContain(
      'cosign verify --certificate-identity https://github.com/acme/sandbox-images/.github/workflows/publish.yml@refs/heads/main ' +
        `--certificate-oidc-issuer https://token.actions.githubusercontent.com ${imageRef}`
    )
    expect(result.summary).toContain(`✅ Signed \`${imageRef}\` keyless`)
  })

  test('with a key: the key and its password only in cosign’s environment, never in argv or the log', async () => {
    const cosign = fakeCosign()
    const password = `pw-${draw(8).toString('hex')}`
    const given = inputs({ 'cosign-key': pem, 'cosign-password': password, 'sign-tlog-upload': 'false' })
    const result = await runInProcess(given, { workspace: workspace(), docker: fakeDocker(registry), cosign: cosign.command, env: oidcEnv })
    expect(result.exitCode).toBe(0)
    const sign = cosign.calls[1]
    expect(sign?.args).toEqual(['sign', '--yes', '--key', 'env://COSIGN_PRIVATE_KEY', '--tlog-upload=false', result.outputs['image-ref']])
    expect(sign?.env).toMatchObject({ COSIGN_PRIVATE_KEY: pem, COSIGN_PASSWORD: password })
    const shown = result.log.replace(/^::add-mask::.*$/gm, '') + result.summary
    expect(shown).not.toContain(password)
    for (const line of pem.split('\n').filter(part => part.length > 40)) expect(shown).not.toContain(line)
    expect(result.summary).toContain(`cosign verify --key cosign.pub --insecure-ignore-tlog=true ${result.outputs['image-ref'] ?? ''}`)
  })

  test('a failed signing fails the step after the push: pushed, but unsigned', async () => {
    const cosign = fakeCosign({ exitCode: 1, stderr: ['Error: signing [x]: getting signer: reading key: decrypt: encrypted: decryption failed'] })
    const docker = fakeDocker(registry)
    const result = await runInProcess(inputs({ 'cosign-key': pem, 'cosign-password': 'wrong' }), { workspace: workspace(), docker, cosign: cosign.command })
    expect(result.exitCode).toBe(1)
    expect(result.outputs.pushed).toBe('true')
    const imageRef = result.outputs['image-ref'] ?? ''
    expect(result.annotations.filter(a => a.level === 'error').map(a => a.message)).toEqual([
      `${imageRef} is pushed but unsigned: cosign sign failed: Error: signing [x]: getting signer: reading key: decrypt: encrypted: decryption failed`
    ])
    expect(result.summary).toContain(`❌ Not signed: \`${imageRef}\` is pushed but unsigned.`)
  })

  test.each([
    [
      'no cosign on the runner',
      fakeCosign({}, true),
      oidcEnv,
      'sign is true, but cosign is not installed on the runner. Install it in a step before this one: - uses: sigstore/cosign-installer@v3'
    ],
    ['neither a key nor an OIDC token', fakeCosign(), {}, 'sign is true, but there is no way to sign: give the job `permissions: id-token: write`']
  ])('%s: fails before anything is built', async (_what, cosign, env, message) => {
    const docker = fakeDocker(registry)
    const result = await runInProcess(inputs(), { workspace: workspace(), docker: docker, cosign: cosign.command, env })
    expect(result.exitCode).toBe(1)
    expect(result.annotations.filter(a => a.level === 'error').map(a => a.message)).toEqual([expect.stringContaining(message)])
    expect(docker.builds()).toEqual([])
    expect(cosign.calls.filter(call => call.args[0] === 'sign')).toEqual([])
  })

  test('push: false signs nothing and needs no cosign', async () => {
    const cosign = fakeCosign({}, true)
    const result = await runInProcess(inputs({ push: 'false' }), { workspace: workspace(), docker: fakeDocker(registry), cosign: cosign.command })
    expect(result.exitCode).toBe(0)
    expect(cosign.calls).toEqual([])
    expect(result.log).toContain('sign is true, but push is false: nothing is pushed, so nothing is signed.')
  })
})
