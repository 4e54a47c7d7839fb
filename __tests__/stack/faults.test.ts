/**
 * Every fault ends in bounded time with a message that says what failed where, and nothing unverified is claimed.
 * Real `docker buildx build --push` (docker driver: dockerd pushes) through a fault-injecting proxy on 127.0.0.1 in
 * front of the stack's registry (dockerd treats 127.0.0.0/8 as insecure, so plain http works), and a fake daemon
 * socket that accepts and never answers. Each case asserts the outcome, the message's registry and image, an
 * elapsed-time bound, that no docker process is left, and what the registry really holds.
 * In CI these run and fail when the stack is down; elsewhere they are skipped when it is not up.
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { buildAndPush, login, type BuildResult } from '../../src/buildx/build.js'
import { runningChildren } from '../../src/buildx/children.js'
import { dockerLogin, runDocker } from '../../src/buildx/docker.js'
import { resolveTags } from '../../src/buildx/tags.js'
import { UserError } from '../../src/errors.js'
import type { Inputs } from '../../src/inputs.js'
import { forgetSecrets } from '../../src/redaction.js'
import { runRegistries } from '../../src/registry/for-inputs.js'
import { captureStdout, scopedEnv, tempDir } from '../buildx/support/capture.js'
import { RegistryClient, e2eEnabled, mustBeUp, stackState, type StackState } from '../support/stack.js'
import { testInputs } from '../support/inputs.js'
import { startFaultProxy, type FaultProxy, type Rule } from './fault-proxy.js'

const stack = await stackState()
const describeStack = e2eEnabled(stack) ? describe : describe.skip
const RUN = `${process.pid.toString(36)}${Date.now().toString(36)}`
const BASE = '127.0.0.1:5000/openhands/agent-server:1.23.0-python'

let work: ReturnType<typeof tempDir>
let restoreEnv: () => void
let state: StackState
let registry: RegistryClient
let proxy: FaultProxy | undefined
const builtImages: string[] = []

beforeAll(() => {
  work = tempDir('i9-faults-')
  const dockerConfig = path.join(work.dir, 'docker-config')
  mkdirSync(dockerConfig, { recursive: true })
  restoreEnv = scopedEnv({ DOCKER_CONFIG: dockerConfig, RUNNER_TEMP: work.dir, GITHUB_STATE: undefined, GITHUB_SHA: undefined, GITHUB_WORKSPACE: work.dir })
})

afterAll(() => {
  for (const image of builtImages) {
    try {
      execFileSync('docker', ['image', 'rm', '--force', image], { stdio: 'ignore' })
    } catch {
      // Already gone.
    }
  }
  restoreEnv()
  work.remove()
})

beforeEach(() => forgetSecrets())

afterEach(async () => {
  await proxy?.close()
  proxy = undefined
})

/** A context whose only layer is 1.5 MB of fresh random bytes: every push has a blob to upload. */
function freshContext(name: string): string {
  const dir = path.join(work.dir, `${name}-${randomBytes(3).toString('hex')}`)
  mkdirSync(dir, { recursive: true })
  writeFileSync(path.join(dir, 'blob.bin'), randomBytes(1_500_000))
  writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${BASE}\nCOPY blob.bin /tmp/blob.bin\n`)
  return dir
}

interface Outcome {
  result?: BuildResult
  error?: unknown
  message: string
  seconds: number
  image: string
  repository: string
  tag: string
  log: string
}

/** buildAndPush through the proxy with `rules`, logged in with the stack's credentials. */
async function pushThrough(name: string, rules: Rule[], changes: Partial<Inputs> = {}): Promise<Outcome> {
  proxy = await startFaultProxy(state.registry, rules)
  const repository = `i9-faults/${name}-${RUN}`
  const tag = `t${randomBytes(3).toString('hex')}`
  const image = `${proxy.registry}/${repository}:${tag}`
  builtImages.push(image)
  const context = freshContext(name)
  const inputs = testInputs(context, {
    repository: `${proxy.registry}/${repository}`,
    tag,
    'registry-username': state.username,
    'registry-password': state.password,
    'push-retries': 1,
    ...changes
  })
  const started = Date.now()
  const sha = '0'.repeat(40)
  const { result, error, log } = await captureStdout(() => {
    const tags = resolveTags({ repository: inputs.repository, tag: inputs.tag, 'extra-tags': inputs['extra-tags'], release: '1.23.0', sha })
    return buildAndPush(inputs, {
      release: '1.23.0',
      sha,
      tags,
      workspace: context,
      tempDir: tmpdir(),
      pushRetryDelayMs: 200,
      registries: runRegistries(inputs)
    })
  })
  const message = error instanceof Error ? error.message : ''
  return { result, error, message, seconds: (Date.now() - started) / 1000, image, repository, tag, log }
}

/** No docker process of this test is running: none tracked, and none in the process table names the image. */
function expectNothingLeft(image: string): void {
  expect(runningChildren()).toEqual([])
  const table = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
  expect(table.split('\n').filter(line => line.includes(image) && !line.includes('ps -eo'))).toEqual([])
}

async function tagInRegistry(repository: string, tag: string): Promise<boolean> {
  return (await registry.listTags(repository)).includes(tag)
}

describeStack('push faults through a fault-injecting proxy', () => {
  beforeAll(() => {
    state = mustBeUp(stack)
    registry = new RegistryClient(state)
  })

  test('500 on every manifest upload: retried once, then a server-error message naming image and registry; nothing claimed', async () => {
    const out = await pushThrough('m500', [{ method: 'PUT', path: /\/manifests\//, fault: { kind: 'status', status: 500 } }])
    expect(out.error).toBeInstanceOf(UserError)
    expect(out.message).toContain(
      `Pushing ${out.image} failed (2 attempts): registry ${proxy?.registry} answered with a server error (HTTP 5xx): the registry failed; retry later or check its status.`
    )
    expect(out.message).toContain('Not pushed:')
    expect(proxy?.log.filter(line => line.startsWith('PUT') && line.includes('/manifests/'))).toHaveLength(2)
    expect(out.log).toContain('retry 1 of 1')
    expect(out.seconds).toBeLessThan(60)
    expect(await tagInRegistry(out.repository, out.tag)).toBe(false)
    expectNothingLeft(out.image)
  }, 120_000)

  test('500 on the first manifest upload only: the retry pushes only what is missing and the digest is the registry’s', async () => {
    const out = await pushThrough('m500once', [{ method: 'PUT', path: /\/manifests\//, fault: { kind: 'status', status: 500 }, requests: [1] }])
    expect(out.error).toBeUndefined()
    expect(out.result).toMatchObject({ pushed: true, image: out.image })
    const manifest = await registry.getManifest(out.repository, out.tag)
    expect(manifest?.digest).toMatch(/^sha256:/)
    expect(out.result?.digest).toBe(manifest?.digest)
    // The second attempt found the layers already there: no blob was uploaded after the refused manifest.
    const log = proxy?.log ?? []
    const refused = log.findIndex(line => line.includes('/manifests/') && line.endsWith('-> 500'))
    expect(refused).toBeGreaterThan(0)
    expect(log.slice(0, refused).filter(line => line.startsWith('PUT') && line.includes('/blobs/uploads/')).length).toBeGreaterThan(0)
    expect(log.slice(refused).filter(line => line.startsWith('PUT') && line.includes('/blobs/uploads/'))).toEqual([])
    expect(out.seconds).toBeLessThan(60)
    expectNothingLeft(out.image)
  }, 120_000)

  test('429 on every upload start: throttled, retried, and the message says so', async () => {
    const out = await pushThrough('t429', [
      {
        method: 'POST',
        path: /\/blobs\/uploads\/$/,
        fault: {
          kind: 'status',
          status: 429,
          headers: { 'retry-after': '1' },
          body: JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] })
        }
      }
    ])
    expect(out.message).toContain(`Pushing ${out.image} failed (2 attempts): registry ${proxy?.registry} throttled the push (HTTP 429 too many requests)`)
    expect(out.seconds).toBeLessThan(60)
    expect(await tagInRegistry(out.repository, out.tag)).toBe(false)
    expectNothingLeft(out.image)
  }, 120_000)

  test('403 on upload after a good login: denied, naming the account, not retried', async () => {
    const out = await pushThrough('d403', [
      {
        method: 'POST',
        path: /\/blobs\/uploads\/$/,
        fault: { kind: 'status', status: 403, body: JSON.stringify({ errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] }) }
      }
    ])
    expect(out.message).toContain(
      `Pushing ${out.image} failed: registry ${proxy?.registry} denied registry-username ${state.username} write access to the repository (HTTP 403)`
    )
    expect(out.log).not.toContain('retry 1 of 1')
    expect(out.seconds).toBeLessThan(60)
    expect(await tagInRegistry(out.repository, out.tag)).toBe(false)
    expectNothingLeft(out.image)
  }, 120_000)

  test('a connection reset on every manifest upload: reset class, retried, nothing claimed', async () => {
    const out = await pushThrough('reset', [{ method: 'PUT', path: /\/manifests\//, fault: { kind: 'reset' } }])
    expect(out.error).toBeInstanceOf(UserError)
    expect(out.message).toContain(
      `Pushing ${out.image} failed (2 attempts): the connection to registry ${proxy?.registry} was reset or closed during the upload`
    )
    expect(out.seconds).toBeLessThan(90)
    expect(await tagInRegistry(out.repository, out.tag)).toBe(false)
    expectNothingLeft(out.image)
  }, 150_000)

  test('a registry that stalls in the middle of a layer upload: the watchdog kills the whole group', async () => {
    const out = await pushThrough('stall', [{ method: 'PATCH', path: /\/blobs\/uploads\//, fault: { kind: 'stall' } }], { 'push-stall-timeout': 4000 })
    expect(out.error).toBeInstanceOf(UserError)
    expect(out.message).toMatch(
      new RegExp(
        `^docker buildx build \\(building and pushing ${escape(out.image)} to ${escape(proxy?.registry ?? '')}\\) was stopped after \\d+ s: it showed no progress for 4 s \\(push-stall-timeout\\); docker and every process it started were killed\\.`
      )
    )
    expect(out.message).toContain('Not pushed:')
    expect(out.seconds).toBeLessThan(40)
    expect(await tagInRegistry(out.repository, out.tag)).toBe(false)
    expectNothingLeft(out.image)
  }, 120_000)

  test('the overall timeout stops a push that keeps stalling', async () => {
    const out = await pushThrough('deadline', [{ method: 'PATCH', path: /\/blobs\/uploads\//, fault: { kind: 'stall' } }], {
      timeout: 5000,
      'push-stall-timeout': 0
    })
    expect(out.message).toContain('the timeout of 5 s passed (timeout)')
    expect(out.message).toContain(out.image)
    expect(out.seconds).toBeLessThan(40)
    expectNothingLeft(out.image)
  }, 120_000)

  test("docker's read-back after a good manifest upload fails: the registry is asked, and the push is reported with its digest", async () => {
    const out = await pushThrough('readback', [{ method: 'GET', path: /\/manifests\/sha256:/, fault: { kind: 'status', status: 500 }, requests: [1, 2, 3] }], {
      'push-retries': 0
    })
    expect(out.log).toContain('::warning::docker reported the push as failed')
    const manifest = await registry.getManifest(out.repository, out.tag)
    // Either docker never noticed (pushed) or it failed and the check found the tag: both tell the registry's truth.
    expect(manifest?.digest).toMatch(/^sha256:/)
    expect(out.result).toMatchObject({ pushed: true, digest: manifest?.digest })
    expect(out.seconds).toBeLessThan(60)
    expectNothingLeft(out.image)
  }, 120_000)
})

describeStack('a Docker daemon that accepts and never answers', () => {
  let server: net.Server
  let socket: string
  const connections = new Set<net.Socket>()
  beforeAll(async () => {
    state = mustBeUp(stack)
    socket = path.join(work.dir, 'hung.sock')
    // Accepts and never answers; its connections are ended at the end, or close() would wait for them forever.
    server = net.createServer(connection => {
      connections.add(connection)
      connection.on('close', () => connections.delete(connection))
    })
    await new Promise<void>(resolve => server.listen(socket, resolve))
  })
  afterAll(async () => {
    for (const connection of connections) connection.destroy()
    await new Promise(resolve => server.close(resolve))
  })

  test('docker login is stopped at its deadline, with its process group', async () => {
    const restore = scopedEnv({ DOCKER_HOST: `unix://${socket}` })
    try {
      const started = Date.now()
      const run = await dockerLogin(state.registry, state.username, state.password, runDocker, 2000)
      expect(run.killed).toMatchObject({ reason: 'deadline' })
      expect(run.exitCode).not.toBe(0)
      expect(Date.now() - started).toBeLessThan(10_000)
      expect(runningChildren()).toEqual([])
    } finally {
      restore()
    }
  }, 30_000)

  test('login(inputs) ends after 60 s with a message naming the registry and the daemon', async () => {
    const restore = scopedEnv({ DOCKER_HOST: `unix://${socket}` })
    try {
      const started = Date.now()
      const inputs = testInputs(work.dir, {
        repository: `${state.registry}/i9-faults/login`,
        'registry-username': state.username,
        'registry-password': state.password
      })
      const { error } = await captureStdout(() => login(inputs))
      const elapsed = Date.now() - started
      expect(error).toBeInstanceOf(UserError)
      expect((error as Error).message).toBe(
        `docker login to ${state.registry} as ${state.username} did not finish within 1 min and was stopped: the Docker daemon at unix://${socket} or registry ${state.registry} does not answer. Check that dockerd is running and responsive (docker info), and that ${state.registry} is reachable.`
      )
      expect((error as Error).message).not.toContain(state.password)
      expect(elapsed).toBeGreaterThanOrEqual(59_000)
      expect(elapsed).toBeLessThan(75_000)
      expect(runningChildren()).toEqual([])
    } finally {
      restore()
    }
  }, 90_000)
})

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
