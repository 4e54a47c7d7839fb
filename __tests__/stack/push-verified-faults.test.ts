/**
 * The verified path's push (`docker push` of the verified image, then the registry read-back) through the
 * fault-injecting proxy in front of the stack's registry: a failed push names the image and the registry; a read-back
 * that fails after a good push (500, or 429 every time) leaves the push standing with docker push's digest, which
 * the registry behind the proxy confirms, and a warning that says why the read-back could not be done.
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { login } from '../../src/buildx/build.js'
import { UserError } from '../../src/errors.js'
import { forgetSecrets } from '../../src/redaction.js'
import { runRegistries } from '../../src/registry/for-inputs.js'
import { pushVerified } from '../../src/verify/push.js'
import { captureStdout, scopedEnv, tempDir } from '../buildx/support/capture.js'
import { testInputs } from '../support/inputs.js'
import { RegistryClient, e2eEnabled, mustBeUp, stackState, type StackState } from '../support/stack.js'
import { startFaultProxy, type FaultProxy, type Rule } from './fault-proxy.js'

const stack = await stackState()
const describeStack = e2eEnabled(stack) ? describe : describe.skip
const RUN = `${process.pid.toString(36)}${Date.now().toString(36)}`

let work: ReturnType<typeof tempDir>
let restoreEnv: () => void
let state: StackState
let proxy: FaultProxy | undefined
let local = ''
let diffIds: string[] = []
const made: string[] = []

beforeAll(() => {
  work = tempDir('push-verified-faults-')
  const dockerConfig = path.join(work.dir, 'docker-config')
  mkdirSync(dockerConfig, { recursive: true })
  restoreEnv = scopedEnv({ DOCKER_CONFIG: dockerConfig, GITHUB_STATE: undefined })
})

afterAll(() => {
  for (const image of made) {
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

/** The "verified" image: one fresh layer of random bytes, in the engine, and its diff_ids. */
function buildLocal(): void {
  const context = path.join(work.dir, 'context')
  mkdirSync(context, { recursive: true })
  writeFileSync(path.join(context, 'blob.bin'), randomBytes(300_000))
  writeFileSync(path.join(context, 'Dockerfile'), 'FROM scratch\nCOPY blob.bin /blob.bin\n')
  local = `ohe-push-faults:${RUN}`
  made.push(local)
  execFileSync('docker', ['build', '--quiet', '--tag', local, context], { stdio: 'ignore' })
  diffIds = JSON.parse(execFileSync('docker', ['image', 'inspect', '--format', '{{json .RootFS.Layers}}', local], { encoding: 'utf8' })) as string[]
}

/** pushVerified of the local image through the proxy with `rules`, logged in to the proxy with the stack's user. */
async function pushThrough(name: string, rules: Rule[]) {
  proxy = await startFaultProxy(state.registry, rules)
  const repository = `push-verified/${name}-${RUN}`
  const ref = `${proxy.registry}/${repository}:t${randomBytes(3).toString('hex')}`
  made.push(ref)
  const inputs = testInputs(work.dir, {
    repository: `${proxy.registry}/${repository}`,
    'registry-username': state.username,
    'registry-password': state.password,
    'push-retries': 1
  })
  const outcome = await captureStdout(async () => {
    await login(inputs)
    return pushVerified(local, [ref], diffIds, inputs, runRegistries(inputs), undefined, 100)
  })
  const message = outcome.error instanceof Error ? outcome.error.message : ''
  return { ...outcome, message, ref, repository, tag: ref.slice(ref.lastIndexOf(':') + 1), registry: proxy.registry }
}

const tooMany = JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] })

describeStack('the verified push through a fault-injecting proxy', () => {
  beforeAll(() => {
    state = mustBeUp(stack)
    buildLocal()
  })

  test('500 on every manifest upload: retried, then a message naming the image and the registry', async () => {
    const out = await pushThrough('m500', [{ method: 'PUT', path: /\/manifests\//, fault: { kind: 'status', status: 500 } }])
    expect(out.error).toBeInstanceOf(UserError)
    expect(out.message).toBe(
      `Pushing ${out.ref} failed (2 attempts): registry ${out.registry} answered with a server error (HTTP 5xx): the registry failed; retry later or check its status.\n` +
        'received unexpected HTTP status: 500 Internal Server Error\nHint: The registry failed (HTTP 5xx): retry later or check its status.'
    )
    expect(proxy?.log.filter(line => line.startsWith('PUT') && line.includes('/manifests/'))).toHaveLength(2)
    expect(out.log).toContain('retry 1 of 1')
  }, 180_000)

  test('429 on every upload start: throttled, naming the image and the registry', async () => {
    const out = await pushThrough('t429', [
      { method: 'POST', path: /\/blobs\/uploads\/$/, fault: { kind: 'status', status: 429, headers: { 'retry-after': '1' }, body: tooMany } }
    ])
    expect(out.message.split('\n')[0]).toBe(
      `Pushing ${out.ref} failed (2 attempts): registry ${out.registry} throttled the push (HTTP 429 too many requests): wait and run the job again, or push less often.`
    )
  }, 180_000)

  test('403 on upload after a good login: denied, naming the image, the registry and the account; not retried by the action', async () => {
    const out = await pushThrough('d403', [
      {
        method: 'POST',
        path: /\/blobs\/uploads\/$/,
        fault: { kind: 'status', status: 403, body: JSON.stringify({ errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] }) }
      }
    ])
    expect(out.message.split('\n')[0]).toBe(
      `Pushing ${out.ref} failed: registry ${out.registry} denied registry-username ${state.username} write access to the repository (HTTP 403): give that account push rights.`
    )
    // dockerd retries the refused upload itself (5 requests over ~50 s); the action adds no attempt of its own.
    expect(out.log).not.toContain('retry 1 of 1')
    expect(proxy?.log.filter(line => line.startsWith('POST') && line.endsWith('-> 403')).length).toBeGreaterThan(0)
  }, 180_000)

  test.each([
    ['500', { kind: 'status', status: 500 } as const, 'HTTP 500'],
    ['429 every time', { kind: 'status', status: 429, headers: { 'retry-after': '1' }, body: tooMany } as const, 'HTTP 429']
  ])(
    'a read-back answered %s after a good push: passes with docker push’s digest, and warns why',
    async (_name, fault, said) => {
      // docker push never GETs a manifest: only the action's read-back meets the fault.
      const out = await pushThrough(`rb${said.slice(5)}`, [{ method: 'GET', path: /\/manifests\//, fault }])
      expect(out.error).toBeUndefined()
      const inRegistry = await new RegistryClient(state).getManifest(out.repository, out.tag)
      expect(inRegistry?.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
      expect(out.result?.digest).toBe(inRegistry?.digest)
      expect(out.result?.layerSizes).toEqual([])
      const warning = out.log.split('\n').find(line => line.startsWith('::warning::'))
      expect(warning).toContain(
        `::warning::Pushed ${out.ref} (${inRegistry?.digest}, as docker push reported it), but the read-back from registry ${out.registry} could not be done (`
      )
      expect(warning).toContain(said)
      expect(warning).toContain("so the registry's layers were not compared with the verified image's.")
      expect(proxy?.log.some(line => line.startsWith('GET') && line.includes('/manifests/') && line.endsWith(`-> ${said.slice(5)}`))).toBe(true)
    },
    180_000
  )
})
