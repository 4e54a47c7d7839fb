/**
 * Docker's own login against the real registry of the e2e stack (scripts/e2e-stack.sh: htpasswd registry on
 * 127.0.0.1:5000): a DOCKER_CONFIG of the test's own with an `auths` entry (written here, as `docker login` writes
 * it; root's ~/.docker is never touched), or with a credential helper, and no registry-* inputs.
 * Runs in CI always (a stack that is down fails it there); skipped elsewhere when the stack is not up.
 */
import { Buffer } from 'node:buffer'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parseImageReference } from '../../../src/grammar.js'
import { registryImageReader } from '../../../src/phases/check.js'
import { runRegistries, type RegistryInputs } from '../../../src/registry/for-inputs.js'
import { BASE_ENTRYPOINT, BASE_REPOSITORY, RegistryClient, e2eEnabled, mustBeUp, stackState, type StackState } from '../../support/stack.js'
import { registryError } from '../../registry/support.js'
import { scratchDir } from '../../support/scratch.js'

const stack = await stackState()
const describeE2E = e2eEnabled(stack) ? describe : describe.skip
const up = (): StackState => mustBeUp(stack)

const noInputs: RegistryInputs = { repository: '', 'registry-username': '', 'registry-password': '' }
const savedConfig = process.env.DOCKER_CONFIG
const savedPath = process.env.PATH
let root: string

beforeAll(() => {
  root = scratchDir('docker-credentials-registry-')
})

afterAll(() => {
  if (savedConfig === undefined) delete process.env.DOCKER_CONFIG
  else process.env.DOCKER_CONFIG = savedConfig
  process.env.PATH = savedPath
  rmSync(root, { recursive: true, force: true })
})

/** A DOCKER_CONFIG of this test's own holding `config`; returns its config.json path. */
function dockerConfig(config: unknown): string {
  const dir = mkdtempSync(path.join(root, 'docker-'))
  const file = path.join(dir, 'config.json')
  writeFileSync(file, JSON.stringify(config), { mode: 0o600 })
  process.env.DOCKER_CONFIG = dir
  return file
}

const auth = (username: string, password: string): string => Buffer.from(`${username}:${password}`).toString('base64')

describeE2E("the action's registry reads with docker's login", () => {
  it('reads the config of openhands/agent-server:1.23.0-python with the auths entry docker login writes', async () => {
    const { registry, username, password } = up()
    dockerConfig({ auths: { [registry]: { auth: auth(username, password) } } })
    const result = await runRegistries(noInputs).client(registry).getImageConfig(BASE_REPOSITORY, '1.23.0-python')
    const expected = await new RegistryClient(up()).getConfig(BASE_REPOSITORY, '1.23.0-python')
    expect(result.digest).toBe(expected.manifestDigest)
    expect(result.config.Entrypoint).toEqual([...BASE_ENTRYPOINT])
  })

  it('reads it through a credential helper (credsStore), as docker/login-action on a runner with one leaves it', async () => {
    const { registry, username, password } = up()
    const bin = mkdtempSync(path.join(root, 'bin-'))
    const answer = path.join(bin, 'answer.json')
    writeFileSync(answer, JSON.stringify({ ServerURL: registry, Username: username, Secret: password }), { mode: 0o600 })
    const helper = path.join(bin, 'docker-credential-e2e')
    writeFileSync(
      helper,
      `#!/bin/sh\n[ "$1" = get ] && [ "$(cat)" = '${registry}' ] && exec cat '${answer}'\necho "credentials not found in native keychain"; exit 1\n`
    )
    chmodSync(helper, 0o755)
    process.env.PATH = `${bin}${path.delimiter}${savedPath ?? ''}`
    dockerConfig({ credsStore: 'e2e', auths: { [registry]: {} } })
    const tags = await runRegistries(noInputs).client(registry).listTags(BASE_REPOSITORY)
    expect(tags).toContain('1.23.0-python')
  })

  it("a FROM image on a registry other than repository's: registryImageReader reads it with docker's login", async () => {
    const { registry, username, password } = up()
    dockerConfig({ auths: { [`https://${registry}`]: { auth: auth(username, password) } } })
    const image = parseImageReference(`${registry}/${BASE_REPOSITORY}:1.23.0-python`)
    if (image === undefined) throw new Error('unparsed reference')
    const read = registryImageReader(
      runRegistries({ repository: 'ghcr.io/acme/openhands-sandbox', 'registry-username': 'bot', 'registry-password': 'ghcr-token' })
    )
    const { digest } = await read(image)
    expect(digest).toBe((await new RegistryClient(up()).getManifest(BASE_REPOSITORY, '1.23.0-python'))?.digest)
  })

  it('without a docker login: the unauthorized RegistryError says none were tried and how to log in', async () => {
    const { registry, username, password } = up()
    // A login for another registry only.
    const file = dockerConfig({ auths: { 'ghcr.io': { auth: auth(username, password) } } })
    const error = await registryError(runRegistries(noInputs).client(registry).getImageConfig(BASE_REPOSITORY, '1.23.0-python'))
    expect(error).toMatchObject({ kind: 'unauthorized', status: 401, registry, repository: BASE_REPOSITORY })
    expect(error.message).toBe(
      `authentication failed at registry ${registry} reading ${BASE_REPOSITORY}:1.23.0-python (HTTP 401 UNAUTHORIZED): the registry requires credentials ` +
        `(a private or missing repository answers this way too). Credentials tried: none (docker has no login for ${registry} in ${file}). ` +
        `To fix: log in to ${registry} with docker login or docker/login-action before this step ` +
        "(registry-username/registry-password are sent only to repository's registry, and repository is not set)"
    )
    expect(error.message).not.toContain(password)
  })

  it("a wrong password in docker's login: rejected, and the message names where it came from", async () => {
    const { registry, username, password } = up()
    const file = dockerConfig({ auths: { [registry]: { username, password: `${password}-wrong` } } })
    const error = await registryError(
      runRegistries({ ...noInputs, repository: `${registry}/e2e/out` })
        .client(registry)
        .listTags(BASE_REPOSITORY)
    )
    expect(error.message).toBe(
      `authentication failed at registry ${registry} reading tags of ${BASE_REPOSITORY} (HTTP 401 UNAUTHORIZED): the registry rejected the credentials. ` +
        `Credentials tried: docker's login for ${registry} (from ${file}). ` +
        `To fix: set registry-username/registry-password (they are sent only to ${registry}) or log in to ${registry} with docker login or docker/login-action before this step`
    )
    expect(error.message).not.toContain(password)
  })
})
