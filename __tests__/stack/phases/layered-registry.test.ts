/**
 * Layered images against the real registry of the e2e stack (scripts/e2e-stack.sh): custom images are pushed with a
 * real buildx build, then runChecks reads a Dockerfile FROM them. Runs in CI always (a stack that is down fails it
 * there); skipped elsewhere when the stack is not up.
 */
import { jest } from '@jest/globals'
import { rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Inputs } from '../../../src/inputs.js'
import { BASE_NAME_LABEL } from '../../../src/image/layered.js'
import { registryImageReader, runChecks } from '../../../src/phases/check.js'
import { runRegistries } from '../../../src/registry/for-inputs.js'
import { createRegistryClient, RegistryError } from '../../../src/registry/client.js'
import { BASE_REPOSITORY, e2eEnabled, mustBeUp, stackState, type StackState } from '../../support/stack.js'
import { testInputs } from '../../support/inputs.js'
import { dockerPusher, uniqueRepository, type Pusher } from '../../support/docker-push.js'
import { scratchDir } from '../../support/scratch.js'

/** The checks as main.ts runs them: FROM images read through the run's registry clients. */
const checksWithRegistries = (inputs: Inputs, release: string, workspace: string): ReturnType<typeof runChecks> =>
  runChecks(inputs, release, workspace, registryImageReader(runRegistries(inputs)))
const stack = await stackState()
const describeE2E = e2eEnabled(stack) ? describe : describe.skip
jest.setTimeout(180_000)

const up = (): StackState => mustBeUp(stack)
const baseImage = (): string => `${up().registry}/${BASE_REPOSITORY}`
const baseRef = (version: string): string => `${baseImage()}:${version}-python`

let pusher: Pusher | undefined
const workspaces: string[] = []

/** A workspace whose Dockerfile is `FROM <image>` plus a hotfix layer; runChecks shows the file as `Dockerfile`. */
function workspaceFrom(image: string): string {
  const workspace = scratchDir('layered-e2e-')
  workspaces.push(workspace)
  writeFileSync(path.join(workspace, 'Dockerfile'), `FROM ${image}\nCOPY hotfix.txt /opt/hotfix.txt\n`)
  return workspace
}

/** Inputs that may read the stack's registry: the push repository is there, with its credentials. */
function inputsFor(workspace: string, changes: Partial<Inputs> = {}): Inputs {
  const { username, password } = up()
  return testInputs(workspace, {
    'base-image': baseImage(),
    repository: uniqueRepository(up(), 'layered-out'),
    'registry-username': username,
    'registry-password': password,
    ...changes
  })
}

async function push(kind: string, dockerfile: string, labels: Record<string, string> = {}): Promise<{ image: string; digest: string }> {
  if (!pusher) throw new Error('no docker pusher')
  const image = `${uniqueRepository(up(), kind)}:1.23.0-a1b2c3d`
  const digest = await pusher.push(image, dockerfile, { labels })
  return { image, digest }
}

// The reads here must not depend on whatever docker login the machine's own docker config holds.
const emptyDockerConfig = scratchDir('layered-docker-config-')
const savedDockerConfig = process.env.DOCKER_CONFIG

describeE2E('layered images in the real registry', () => {
  let hotfixBase = { image: '', digest: '' }

  beforeAll(async () => {
    process.env.DOCKER_CONFIG = emptyDockerConfig
    pusher = await dockerPusher(up())
    // A custom image as this action pushes it: built on 1.23.0-python and saying so in its base.name label.
    hotfixBase = await push('layered', `FROM ${baseRef('1.23.0')}\nCOPY hotfix.txt /opt/custom.txt\n`, { [BASE_NAME_LABEL]: baseRef('1.23.0') })
  })
  afterAll(async () => {
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG
    else process.env.DOCKER_CONFIG = savedDockerConfig
    await pusher?.close()
    for (const dir of workspaces) rmSync(dir, { recursive: true, force: true })
  })

  it('passes for 1.23.0 and returns the chain for the summary', async () => {
    const workspace = workspaceFrom(hotfixBase.image)
    const result = await checksWithRegistries(inputsFor(workspace), '1.23.0', workspace)
    expect(result.findings).toEqual([])
    expect(result.layered).toEqual({
      line: 1,
      ok: true,
      agentServer: baseRef('1.23.0'),
      chain: [{ reference: hotfixBase.image, digest: hotfixBase.digest }, { reference: baseRef('1.23.0') }]
    })
    expect(result.releaseBuildArgs).toEqual({})
    expect(result.dockerfile.base?.reference).toBe(hotfixBase.image)
  })

  it('fails for 1.24.0 at the FROM line, naming the chain and the rebuild', async () => {
    const workspace = workspaceFrom(hotfixBase.image)
    const inputs = inputsFor(workspace)
    const result = await checksWithRegistries(inputs, '1.24.0', workspace)
    expect(result.findings).toEqual([
      {
        check: 'base-image',
        severity: 'error',
        file: inputs.file,
        line: 1,
        message: `FROM ${hotfixBase.image} is built on ${baseRef('1.23.0')}, but the target agent-server 1.24.0 needs 1.24.0-python: rebuild the layered base on 1.24.0-python first`
      }
    ])
    expect(result.layered?.ok).toBe(false)
    expect(result.layered?.chain.map(link => link.reference)).toEqual([hotfixBase.image, baseRef('1.23.0')])
  })

  it('follows a hotfix on the custom image through both labels', async () => {
    const hotfix = await push('layered-hotfix', `FROM ${hotfixBase.image}\nCOPY hotfix.txt /opt/hotfix.txt\n`, { [BASE_NAME_LABEL]: hotfixBase.image })
    const workspace = workspaceFrom(hotfix.image)
    const result = await checksWithRegistries(inputsFor(workspace), '1.24.0', workspace)
    expect(result.findings.map(finding => finding.message)).toEqual([
      `FROM ${hotfix.image} is built on ${hotfixBase.image}, which is built on ${baseRef('1.23.0')}, but the target agent-server 1.24.0 needs 1.24.0-python: rebuild the layered bases on 1.24.0-python first`
    ])
    expect(result.layered?.chain).toEqual([
      { reference: hotfix.image, digest: hotfix.digest },
      { reference: hotfixBase.image, digest: hotfixBase.digest },
      { reference: baseRef('1.23.0') }
    ])
  })

  it('fails an image without the label as not built on the agent-server image', async () => {
    const plain = await push('layered-unlabelled', `FROM ${baseRef('1.23.0')}\nCOPY hotfix.txt /opt/custom.txt\n`)
    const workspace = workspaceFrom(plain.image)
    const inputs = inputsFor(workspace)
    const result = await checksWithRegistries(inputs, '1.23.0', workspace)
    expect(result.findings).toEqual([
      {
        check: 'base-image',
        severity: 'error',
        file: inputs.file,
        line: 1,
        message:
          `The final stage is built on ${plain.image}, which is not built on the agent-server image ${baseImage()}: its linux/amd64 image has no ${BASE_NAME_LABEL} label. ` +
          `Either in Dockerfile line 1, change FROM ${plain.image} to ${baseRef('1.23.0')}, or rebuild ${plain.image} with the label ${BASE_NAME_LABEL} naming its agent-server base (this action sets it on every image it pushes)`
      }
    ])
    expect(result.layered).toEqual({ line: 1, ok: false, chain: [{ reference: plain.image, digest: plain.digest }] })
  })

  it('a registry that refuses the read is an error finding with its message, not a crash', async () => {
    const workspace = workspaceFrom(hotfixBase.image)
    // No push repository on this registry: the run's client sends no credentials, and the registry wants them.
    const inputs = inputsFor(workspace, { repository: '', 'registry-username': '', 'registry-password': '' })
    const result = await checksWithRegistries(inputs, '1.23.0', workspace)

    const name = hotfixBase.image.slice(up().registry.length + 1).split(':')[0] ?? ''
    const refused = await createRegistryClient({ registry: up().registry })
      .getImageConfig(name, '1.23.0-a1b2c3d')
      .then(
        () => undefined,
        (thrown: unknown) => thrown
      )
    expect(refused).toBeInstanceOf(RegistryError)
    expect((refused as RegistryError).kind).toBe('unauthorized')
    expect(result.findings.map(({ check, severity, file, line }) => ({ check, severity, file, line }))).toEqual([
      { check: 'base-image', severity: 'error', file: inputs.file, line: 1 }
    ])
    const message = result.findings[0]?.message ?? ''
    expect(
      message.startsWith(
        `Cannot check FROM ${hotfixBase.image} as a layered image (it is not the OHE base image ${baseImage()}): authentication failed at registry ${up().registry}`
      )
    ).toBe(true)
    expect(message).toContain(`Credentials tried: none (there is no docker config ${path.join(emptyDockerConfig, 'config.json')}).`)
    expect(
      message.endsWith(
        `To fix: log in to ${up().registry} with docker login or docker/login-action before this step (registry-username/registry-password are sent only to repository's registry, and repository is not set)`
      )
    ).toBe(true)
    expect(result.layered).toEqual({ line: 1, ok: false, chain: [] })
  })

  it('credentials of another registry are not sent, and the finding says so', async () => {
    const workspace = workspaceFrom(hotfixBase.image)
    const result = await checksWithRegistries(inputsFor(workspace, { repository: 'ghcr.io/acme/openhands-sandbox' }), '1.23.0', workspace)
    expect(result.findings).toHaveLength(1)
    expect(result.findings[0]?.message).toMatch(/^Cannot check FROM .* as a layered image .*: authentication failed at registry 127\.0\.0\.1:5000 /)
    expect(result.findings[0]?.message).toMatch(/\(registry-username\/registry-password are sent only to ghcr\.io, repository's registry\)$/)
  })

  it('a tag that is not in the registry is an error finding naming it', async () => {
    const missing = `${hotfixBase.image.split(':1.23.0')[0] ?? ''}:0.0.0-missing`
    const workspace = workspaceFrom(missing)
    const result = await checksWithRegistries(inputsFor(workspace), '1.23.0', workspace)
    const repository = missing.slice(up().registry.length + 1).split(':')[0] ?? ''
    expect(result.findings.map(finding => [finding.line, finding.message])).toEqual([
      [
        1,
        `Cannot check FROM ${missing} as a layered image (it is not the OHE base image ${baseImage()}): tag 0.0.0-missing not found in ${repository} in registry ${up().registry} (HTTP 404 MANIFEST_UNKNOWN)`
      ]
    ])
  })
})
