/**
 * The run's registry clients (runRegistries) against the stand-in registry (a node:http server in this process, on 127.0.0.1): which
 * credentials go where (registry-username/registry-password for repository's registry, else docker's login, else
 * none) and the exact message of each refusal. Each test has a DOCKER_CONFIG of its own in a temp dir.
 */
import { Buffer } from 'node:buffer'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { createRegistryClient, RegistryError } from '../../src/registry/client.js'
import { explainRefusal, runRegistries, type RegistryInputs } from '../../src/registry/for-inputs.js'
import { PAGES, PASSWORD, USERNAME, startStandIn, type StandIn } from './stand-in-registry.js'
import { registryError } from './support.js'
import { scratchDir } from '../support/scratch.js'

let standIn: StandIn
let R: string
let root: string
const savedConfig = process.env.DOCKER_CONFIG

beforeAll(async () => {
  standIn = await startStandIn()
  R = standIn.registry
  root = scratchDir('for-inputs-')
})

afterAll(async () => {
  await standIn.close()
  if (savedConfig === undefined) delete process.env.DOCKER_CONFIG
  else process.env.DOCKER_CONFIG = savedConfig
  rmSync(root, { recursive: true, force: true })
})

/** A fresh DOCKER_CONFIG; with `auths` for the stand-in as docker login writes them. Returns its config.json path. */
function dockerConfig(login?: { username: string; password: string }): string {
  const dir = mkdtempSync(path.join(root, 'docker-'))
  process.env.DOCKER_CONFIG = dir
  const file = path.join(dir, 'config.json')
  if (login) writeFileSync(file, JSON.stringify({ auths: { [R]: { auth: Buffer.from(`${login.username}:${login.password}`).toString('base64') } } }))
  return file
}

const inputs = (repository = '', username = '', password = ''): RegistryInputs => ({ repository, 'registry-username': username, 'registry-password': password })
const right = { username: USERNAME, password: PASSWORD }
const wrong = { username: USERNAME, password: 'wrong-password' }

describe('runRegistries: which credentials each registry gets', () => {
  it("docker's login, with no registry-* inputs: basic auth and a token realm both get it", async () => {
    dockerConfig(right)
    const client = runRegistries(inputs()).client(R)
    expect(await client.listTags('basic/app')).toEqual(PAGES.flat())
    expect(await client.listTags('private/app')).toEqual(PAGES.flat())
  })

  it("docker's login for a mirror on another registry than repository's, whose inputs it does not get", async () => {
    dockerConfig(right)
    const client = runRegistries(inputs('ghcr.io/acme/sandbox', 'bot', 'ghcr-token')).client(R)
    expect(await client.listTags('basic/app')).toEqual(PAGES.flat())
  })

  it("the inputs win over docker's login for repository's registry", async () => {
    dockerConfig(wrong)
    expect(
      await runRegistries(inputs(`${R}/acme/sandbox`, USERNAME, PASSWORD))
        .client(R)
        .listTags('basic/app')
    ).toEqual(PAGES.flat())
  })

  it("one client per registry for the run, which reads docker's login once; a new run reads it again", async () => {
    const file = dockerConfig(wrong)
    const run = runRegistries(inputs())
    const first = run.client(R)
    await expect(first.listTags('basic/app')).rejects.toThrow(RegistryError)
    // The same config file, now with the right login (as a docker login in between would leave it).
    writeFileSync(file, JSON.stringify({ auths: { [R]: { auth: Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64') } } }))
    expect(run.client(R)).toBe(first)
    await expect(run.client(R).listTags('basic/app')).rejects.toThrow(RegistryError)
    expect(run.client('ghcr.io')).not.toBe(first)
    expect(first.registry).toBe(R)
    const second = runRegistries(inputs()).client(R)
    expect(second).not.toBe(first)
    expect(await second.listTags('basic/app')).toEqual(PAGES.flat())
  })

  it('the settings are taken when the run makes its clients', async () => {
    dockerConfig()
    const settings = inputs(`${R}/acme/sandbox`, USERNAME, PASSWORD)
    const run = runRegistries(settings)
    settings['registry-password'] = 'changed-later'
    expect(await run.client(R).listTags('basic/app')).toEqual(PAGES.flat())
  })

  it('a broken docker config is no credentials, not a failure', async () => {
    const file = dockerConfig()
    writeFileSync(file, '{"auths": {')
    const error = await registryError(runRegistries(inputs()).client(R).listTags('basic/app'))
    expect(error.kind).toBe('unauthorized')
    expect(error.message).toContain(`Credentials tried: none (docker's config ${file} is not valid JSON)`)
  })
})

describe('runRegistries: a refusal says which credentials were tried and what to do', () => {
  const requires = (what: string) =>
    `authentication failed at registry ${R} reading ${what} (HTTP 401 UNAUTHORIZED): the registry requires credentials (a private or missing repository answers this way too)`
  const rejected = (what: string) => `authentication failed at registry ${R} reading ${what} (HTTP 401 UNAUTHORIZED): the registry rejected the credentials`
  const noLogin = (file: string) => `Credentials tried: none (docker has no login for ${R} in ${file})`
  const logIn = () => `log in to ${R} with docker login or docker/login-action before this step`

  it('none, no repository', async () => {
    const file = dockerConfig()
    const error = await registryError(runRegistries(inputs()).client(R).listTags('basic/app'))
    expect(error).toMatchObject({ kind: 'unauthorized', status: 401, registry: R, repository: 'basic/app' })
    expect(error.message).toBe(
      `${requires('tags of basic/app')}. Credentials tried: none (there is no docker config ${file}). ` +
        `To fix: ${logIn()} (registry-username/registry-password are sent only to repository's registry, and repository is not set)`
    )
  })

  it('none, repository on this registry but no inputs: either of the two ways', async () => {
    const file = dockerConfig()
    writeFileSync(file, '{"auths": {}}')
    const error = await registryError(
      runRegistries(inputs(`${R}/acme/sandbox`))
        .client(R)
        .getManifest('basic/app', 'single')
    )
    expect(error.message).toBe(
      `${requires('basic/app:single')}. ${noLogin(file)}. To fix: set registry-username/registry-password (they are sent only to ${R}) or ${logIn()}`
    )
  })

  it('none, a mirror on another registry than repository, whose inputs are set: only a docker login helps', async () => {
    const file = dockerConfig()
    writeFileSync(file, JSON.stringify({ auths: { 'ghcr.io': { auth: Buffer.from('bot:ghcr-token').toString('base64') } } }))
    const error = await registryError(
      runRegistries(inputs('ghcr.io/acme/sandbox', 'bot', 'ghcr-token'))
        .client(R)
        .listTags('basic/app')
    )
    expect(error.message).toBe(
      `${requires('tags of basic/app')}. ${noLogin(file)}. To fix: ${logIn()} (registry-username/registry-password are sent only to ghcr.io, repository's registry)`
    )
    expect(error.message).not.toContain('ghcr-token')
  })

  it("docker's login, rejected", async () => {
    const file = dockerConfig(wrong)
    const error = await registryError(runRegistries(inputs('ghcr.io/acme/sandbox')).client(R).listTags('basic/app'))
    expect(error).toMatchObject({ kind: 'unauthorized', status: 401 })
    expect(error.message).toBe(
      `${rejected('tags of basic/app')}. Credentials tried: docker's login for ${R} (from ${file}). ` +
        `To fix: ${logIn()} (registry-username/registry-password are sent only to ghcr.io, repository's registry)`
    )
    expect(error.message).not.toContain('wrong-password')
  })

  it("docker's login rejected at a token service, on repository's registry", async () => {
    const file = dockerConfig(wrong)
    const error = await registryError(
      runRegistries(inputs(`${R}/acme/sandbox`))
        .client(R)
        .listTags('private/app')
    )
    expect(error.message).toBe(
      `authentication failed at registry ${R} (token service ${R}) reading tags of private/app (HTTP 401 UNAUTHORIZED): the registry rejected the credentials. ` +
        `Credentials tried: docker's login for ${R} (from ${file}). To fix: set registry-username/registry-password (they are sent only to ${R}) or ${logIn()}`
    )
  })

  it('the inputs, rejected', async () => {
    dockerConfig(right)
    const error = await registryError(
      runRegistries(inputs(`${R}/acme/sandbox`, USERNAME, 'wrong-password'))
        .client(R)
        .listTags('basic/app')
    )
    expect(error.message).toBe(
      `${rejected('tags of basic/app')}. Credentials tried: registry-username/registry-password (for ${R}, repository's registry). To fix: check registry-username/registry-password`
    )
    expect(error.message).not.toContain('wrong-password')
  })

  it('an anonymous token without pull access (forbidden)', async () => {
    const file = dockerConfig()
    writeFileSync(file, '{}')
    const error = await registryError(
      runRegistries(inputs(`${R}/acme/sandbox`))
        .client(R)
        .listTags('private/app')
    )
    expect(error).toMatchObject({ kind: 'forbidden', status: 401 })
    expect(error.message).toBe(
      `registry ${R} refused tags of private/app (HTTP 401 UNAUTHORIZED): the anonymous token lacks pull (read) access to private/app (a missing repository answers this way too). ` +
        `${noLogin(file)}. To fix: set registry-username/registry-password (they are sent only to ${R}) or ${logIn()}`
    )
  })

  it('a 403 with the inputs', async () => {
    dockerConfig()
    const error = await registryError(
      runRegistries(inputs(`${R}/acme/sandbox`, USERNAME, PASSWORD))
        .client(R)
        .tagExists('test/status-403', 'x')
    )
    expect(error).toMatchObject({ kind: 'forbidden', status: 403 })
    expect(error.message).toBe(
      `registry ${R} denied access to test/status-403:x (HTTP 403): the credentials lack pull (read) permission on test/status-403. ` +
        `Credentials tried: registry-username/registry-password (for ${R}, repository's registry). To fix: use registry-username/registry-password that may pull test/status-403`
    )
  })

  it("the advice follows what was refused, not the words in the repository's name", () => {
    const settings = { repository: `${R}/acme/sandbox`, 'registry-username': 'u', 'registry-password': 'p' }
    const refused = `registry ${R} denied access to acme/push-tools:x (HTTP 403)`
    const read = new RegistryError(refused, 'forbidden', R, 'acme/push-tools', 403)
    const write = new RegistryError(refused, 'forbidden', R, 'acme/push-tools', 403, true)
    expect(explainRefusal(read, { kind: 'inputs' }, settings).message).toBe(
      `${refused}. Credentials tried: registry-username/registry-password (for ${R}, repository's registry). To fix: use registry-username/registry-password that may pull acme/push-tools`
    )
    expect(explainRefusal(write, { kind: 'inputs' }, settings).message).toBe(
      `${refused}. Credentials tried: registry-username/registry-password (for ${R}, repository's registry). To fix: use registry-username/registry-password that may push to acme/push-tools`
    )
    expect(explainRefusal(write, { kind: 'inputs' }, settings).push).toBe(true)
  })

  it('any other failure is the client error as it is', async () => {
    dockerConfig(right)
    const error = await registryError(runRegistries(inputs()).client(R).listTags('test/garbage'))
    const plain = await registryError(createRegistryClient({ registry: R, credentials: right }).listTags('test/garbage'))
    expect(error).toBeInstanceOf(RegistryError)
    expect(error).toMatchObject({ kind: 'protocol', message: plain.message })
  })
})
