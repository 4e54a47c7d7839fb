/**
 * resolveRelease: a version passes through without the registry; `latest` is read from the real registry of the e2e
 * stack (runs in CI always, so a stack that is down fails there; skipped elsewhere when it is not up).
 */
import { Buffer } from 'node:buffer'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { UserError } from '../../../src/errors.js'
import type { Inputs } from '../../../src/inputs.js'
import { resolveRelease } from '../../../src/phases/release.js'
import { RegistryError } from '../../../src/registry/client.js'
import { highestRelease } from '../../../src/registry/releases.js'
import { closedPort } from '../../registry/stand-in-registry.js'
import { BASE_REPOSITORY, RegistryClient, e2eEnabled, mustBeUp, stackState, type StackState } from '../../support/stack.js'
import { testInputs } from '../../support/inputs.js'
import { dockerPusher, uniqueRepository } from '../../support/docker-push.js'

const stack = await stackState()
const describeE2E = e2eEnabled(stack) ? describe : describe.skip
const up = (): StackState => mustBeUp(stack)

// Registry reads use docker's own login where the inputs do not apply: a DOCKER_CONFIG of this file's own, empty
// unless a test writes one, keeps the machine's ~/.docker out of the results.
const savedConfig = process.env.DOCKER_CONFIG
let dockerDir: string
beforeAll(() => {
  dockerDir = mkdtempSync(path.join(tmpdir(), 'release-docker-'))
})
beforeEach(() => {
  process.env.DOCKER_CONFIG = mkdtempSync(path.join(dockerDir, 'empty-'))
})
afterAll(() => {
  if (savedConfig === undefined) delete process.env.DOCKER_CONFIG
  else process.env.DOCKER_CONFIG = savedConfig
  rmSync(dockerDir, { recursive: true, force: true })
})

/** Switches to a DOCKER_CONFIG holding docker's login for the stack's registry, as docker/login-action leaves it. */
function dockerLogin(password = up().password): string {
  const { registry, username } = up()
  const dir = mkdtempSync(path.join(dockerDir, 'login-'))
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: { [registry]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } } }))
  process.env.DOCKER_CONFIG = dir
  return path.join(dir, 'config.json')
}

/** Reads the registry of `repository` with the stack's credentials, as a push to it would. */
function latestInputs(changes: Partial<Inputs> = {}): Inputs {
  const { registry, username, password } = up()
  return testInputs('/nonexistent', {
    'ohe-release': { kind: 'latest' },
    'base-image': `${registry}/${BASE_REPOSITORY}`,
    repository: `${registry}/e2e/release-out`,
    'registry-username': username,
    'registry-password': password,
    ...changes
  })
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (thrown: unknown) => thrown
  )
}

describe('resolveRelease: a version', () => {
  it.each(['1.23.0', '0.9.12', '10.0.0'])('%s passes through without asking any registry', async version => {
    // base-image points at a port nothing listens on: a registry call would fail the test.
    const inputs = testInputs('/nonexistent', { 'ohe-release': { kind: 'version', version }, 'base-image': `127.0.0.1:${await closedPort()}/openhands/agent-server` })
    await expect(resolveRelease(inputs)).resolves.toEqual({ version, latest: false })
  })
})

describeE2E('resolveRelease: latest, read from the real registry', () => {
  it('resolves to the highest X.Y.Z-python tag of the stand-in bases: 1.24.0', async () => {
    await expect(resolveRelease(latestInputs())).resolves.toEqual({ version: '1.24.0', latest: true })
  })

  it('no release tag of the variant: a UserError naming the repository, the variant and the tags there', async () => {
    const { registry } = up()
    const tags = await new RegistryClient(up()).listTags(BASE_REPOSITORY)
    expect(highestRelease(tags, 'java')).toBeUndefined()
    const thrown = await rejection(resolveRelease(latestInputs({ variant: 'java' })))
    expect(thrown).toBeInstanceOf(UserError)
    expect(thrown).not.toBeInstanceOf(RegistryError)
    const listed = tags.length > 5 ? `${tags.length} tags, e.g. ${tags.slice(0, 5).join(', ')}` : `its tags: ${tags.join(', ')}`
    expect((thrown as UserError).message).toBe(
      `ohe-release: latest found no release tag X.Y.Z-java in ${registry}/${BASE_REPOSITORY} (${listed}). ` +
        'Check base-image and variant, or set ohe-release to a version such as 1.23.0.'
    )
  })

  it('a repository of custom tags only, then with no tags left: each says what it found', async () => {
    const pusher = await dockerPusher(up())
    try {
      const image = uniqueRepository(up(), 'release-none')
      await pusher.push(`${image}:hotfix-python`, `FROM ${up().registry}/${BASE_REPOSITORY}:1.23.0-python\n`)
      const message = (found: string): string =>
        `ohe-release: latest found no release tag X.Y.Z-python in ${image} (${found}). Check base-image and variant, or set ohe-release to a version such as 1.23.0.`
      const custom = await rejection(resolveRelease(latestInputs({ 'base-image': image })))
      expect((custom as UserError).message).toBe(message('its tags: hotfix-python'))

      expect(await new RegistryClient(up()).deleteTag(image.slice(up().registry.length + 1), 'hotfix-python')).toBe(true)
      const empty = await rejection(resolveRelease(latestInputs({ 'base-image': image })))
      expect((empty as UserError).message).toBe(message('it has no tags'))
    } finally {
      await pusher.close()
    }
  }, 120_000)

  it('sends the credentials only to the push registry: a mirror elsewhere says none were tried and to log in to it', async () => {
    const { registry, password } = up()
    const thrown = await rejection(resolveRelease(latestInputs({ repository: 'ghcr.io/acme/openhands-sandbox' })))
    expect(thrown).toBeInstanceOf(RegistryError)
    expect(thrown).toMatchObject({ kind: 'unauthorized', registry, status: 401 })
    expect((thrown as RegistryError).message).toBe(
      `authentication failed at registry ${registry} reading tags of ${BASE_REPOSITORY} (HTTP 401 UNAUTHORIZED): the registry requires credentials ` +
        `(a private or missing repository answers this way too). Credentials tried: none (there is no docker config ${process.env.DOCKER_CONFIG ?? ''}/config.json). ` +
        `To fix: log in to ${registry} with docker login or docker/login-action before this step ` +
        "(registry-username/registry-password are sent only to ghcr.io, repository's registry)"
    )
    expect((thrown as RegistryError).message).not.toContain(password)
  })

  it("a mirror elsewhere with docker's login for it: latest is read with that login", async () => {
    dockerLogin()
    await expect(resolveRelease(latestInputs({ repository: 'ghcr.io/acme/openhands-sandbox' }))).resolves.toEqual({ version: '1.24.0', latest: true })
  })

  it("no registry-* inputs, docker's login for the registry: latest is read with it", async () => {
    dockerLogin()
    await expect(resolveRelease(latestInputs({ 'registry-username': '', 'registry-password': '' }))).resolves.toEqual({ version: '1.24.0', latest: true })
  })

  it("the inputs win over docker's login on repository's registry", async () => {
    dockerLogin('not-the-password')
    await expect(resolveRelease(latestInputs())).resolves.toEqual({ version: '1.24.0', latest: true })
  })

  it("docker's login rejected, no inputs: the message names the login and both ways to fix it", async () => {
    const { registry } = up()
    const file = dockerLogin('not-the-password')
    const thrown = await rejection(resolveRelease(latestInputs({ 'registry-username': '', 'registry-password': '' })))
    expect(thrown).toMatchObject({ kind: 'unauthorized', registry, status: 401 })
    expect((thrown as RegistryError).message).toBe(
      `authentication failed at registry ${registry} reading tags of ${BASE_REPOSITORY} (HTTP 401 UNAUTHORIZED): the registry rejected the credentials. ` +
        `Credentials tried: docker's login for ${registry} (from ${file}). ` +
        `To fix: set registry-username/registry-password (they are sent only to ${registry}) or log in to ${registry} with docker login or docker/login-action before this step`
    )
  })

  it('a wrong password: the registry error says the inputs were rejected, without the password', async () => {
    const thrown = await rejection(resolveRelease(latestInputs({ 'registry-password': 'not-the-password' })))
    expect(thrown).toBeInstanceOf(RegistryError)
    expect(thrown).toMatchObject({ kind: 'unauthorized', status: 401 })
    expect((thrown as RegistryError).message).toMatch(
      /: the registry rejected the credentials\. Credentials tried: registry-username\/registry-password \(for 127\.0\.0\.1:5000, repository's registry\)\. To fix: check registry-username\/registry-password$/
    )
    expect((thrown as RegistryError).message).not.toContain('not-the-password')
  })

  it('a registry that is down: the registry error passes through', async () => {
    const registry = `127.0.0.1:${await closedPort()}`
    const thrown = await rejection(resolveRelease(latestInputs({ 'base-image': `${registry}/openhands/agent-server`, repository: `${registry}/e2e/out` })))
    expect(thrown).toBeInstanceOf(RegistryError)
    expect(thrown).toMatchObject({ kind: 'unreachable', registry })
  })
})
