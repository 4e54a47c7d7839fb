/**
 * The scheduled rebuild against the real e2e stack: `latest` resolves through the release map, runChecks returns the
 * build-arg for an ARG-held base version, and a real buildx build given that build-arg lands on the new base.
 * Runs in CI always (a stack that is down fails it there); skipped elsewhere when the stack is not up.
 */
import { jest } from '@jest/globals'
import { rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { registryImageReader, runChecks } from '../../../src/phases/check.js'
import { runRegistries } from '../../../src/registry/for-inputs.js'
import { resolveRelease } from '../../../src/phases/release.js'
import { BASE_REPOSITORY, RegistryClient, e2eEnabled, mustBeUp, stackState, type StackState } from '../../support/stack.js'
import { testInputs } from '../../support/inputs.js'
import { dockerPusher, uniqueRepository, type Pusher } from '../../support/docker-push.js'
import { scratchDir } from '../../support/scratch.js'

const stack = await stackState()
const describeE2E = e2eEnabled(stack) ? describe : describe.skip
jest.setTimeout(180_000)
const up = (): StackState => mustBeUp(stack)

describeE2E('a scheduled rebuild on the real stack', () => {
  let pusher: Pusher | undefined
  let workspace = ''
  beforeAll(async () => {
    pusher = await dockerPusher(up())
    workspace = scratchDir('check-e2e-')
  })
  afterAll(async () => {
    await pusher?.close()
    if (workspace) rmSync(workspace, { recursive: true, force: true })
  })

  it('latest OHE release ships 1.24.0, the ARG-based Dockerfile gets --build-arg 1.24.0 and is built on 1.24.0-python', async () => {
    const { registry, username, password } = up()
    const base = `${registry}/${BASE_REPOSITORY}`
    const dockerfile = `ARG AGENT_SERVER_VERSION=1.23.0\nFROM ${base}:\${AGENT_SERVER_VERSION}-python\nCOPY hotfix.txt /opt/hotfix.txt\n`
    writeFileSync(path.join(workspace, 'Dockerfile'), dockerfile)
    const repository = uniqueRepository(up(), 'release-args')
    const map = path.join(workspace, 'release-map.yaml')
    writeFileSync(map, '"0.1.0": 1.22.0-python\n"0.2.0": 1.23.0-python\n"0.3.0": 1.24.0-python\n')
    const inputs = testInputs(workspace, {
      'ohe-release': { kind: 'latest' },
      'agent-server-version': '',
      'release-map': map,
      'base-image': base,
      repository,
      'registry-username': username,
      'registry-password': password
    })

    const release = await resolveRelease(inputs, { apiUrl: 'http://127.0.0.1:9' })
    expect(release).toMatchObject({ version: '1.24.0', oheRelease: '0.3.0', latest: true })
    const checks = await runChecks(inputs, release.version, workspace, registryImageReader(runRegistries(inputs)))
    expect(checks.findings).toEqual([])
    expect(checks.releaseBuildArgs).toEqual({ AGENT_SERVER_VERSION: '1.24.0' })
    expect(checks.dockerfile.base?.reference).toBe(`${base}:1.24.0-python`)

    // What the orchestrator does: the user's build-args plus the release ones.
    const digest = await pusher?.push(`${repository}:scheduled`, dockerfile, { buildArgs: { ...checks.releaseBuildArgs, ...inputs['build-args'] } })
    const built = await new RegistryClient(up()).getConfig(repository.slice(registry.length + 1), 'scheduled')
    expect(built.manifestDigest).toBe(digest)
    // The stand-in bases carry their version in this label, and the built image inherits it from its base.
    expect(built.labels['org.opencontainers.image.version']).toBe('1.24.0')
  })
})
