/**
 * The action's own push of the verified image (issue 16), on every engine of the stack, against the real registry
 * with authentication, through the fault-injecting proxy: the blobs the engine sent to the loopback registry are
 * uploaded as they were scanned, the base's are copied from (or, in the same registry, mounted from) the base's
 * repository, and the registry then holds the verified manifest itself, which the engine can pull. Transfers that
 * fail on the way are tried again; a refusal is not. An upload the registry will not take falls back to docker push.
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { runRegistries } from '../../src/registry/for-inputs.js'
import { RegistryError } from '../../src/registry/errors.js'
import { scanThroughLoopback, type LoopbackScan } from '../../src/verify/loopback-export.js'
import { uploadSent, type UploadOptions } from '../../src/verify/upload-sent.js'
import { runAction } from '../support/action-runner.js'
import { scopedEnv, tempDir } from '../buildx/support/capture.js'
import { BASE_REPOSITORY, REGISTRY, RegistryClient, e2eEnabled, engineEnv, mustBeUp, stackEngines, stackState, type StackEngine } from '../support/stack.js'
import { startFaultProxy, type FaultProxy, type Rule } from './fault-proxy.js'

const stack = await stackState()
const describeStack = e2eEnabled(stack) ? describe : describe.skip
const RUN = `${process.pid.toString(36)}${Date.now().toString(36)}`
const BASE = `${REGISTRY}/${BASE_REPOSITORY}:1.23.0-python`

describeStack.each(stackEngines())('the verified image uploaded by the action on $name', (engine: StackEngine) => {
  let work: ReturnType<typeof tempDir>
  let restoreEnv: () => void
  let proxy: FaultProxy | undefined
  let scan: LoopbackScan
  let local = ''
  let diffIds: string[] = []
  const containerd = engine.name.includes('containerd')

  const docker = (args: string[], input?: string): string =>
    execFileSync('docker', args, { encoding: 'utf8', env: engineEnv(engine), ...(input ? { input } : {}) })

  beforeAll(async () => {
    const state = mustBeUp(stack)
    work = tempDir('upload-sent-')
    const dockerConfig = path.join(work.dir, 'docker-config')
    mkdirSync(dockerConfig)
    restoreEnv = scopedEnv({ DOCKER_HOST: engine.dockerHost, DOCKER_CONFIG: dockerConfig, GITHUB_STATE: undefined })
    docker(['login', REGISTRY, '--username', state.username, '--password-stdin'], state.password)
    const context = path.join(work.dir, 'context')
    mkdirSync(context)
    writeFileSync(path.join(context, 'added.bin'), randomBytes(400_000))
    writeFileSync(path.join(context, 'Dockerfile'), `FROM ${BASE}\nUSER root\nCOPY added.bin /opt/added.bin\nUSER openhands\n`)
    local = `ohe-upload-sent:${RUN}`
    // Where the image store keeps attestations, the engine sends an index with one: it is uploaded as sent too.
    docker(['buildx', 'build', '--quiet', '--provenance', containerd ? 'mode=min' : 'false', '--sbom', 'false', '--tag', local, '--load', context])
    diffIds = JSON.parse(docker(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', local])) as string[]
    const registries = runRegistries({ repository: `${REGISTRY}/x`, 'registry-username': state.username, 'registry-password': state.password })
    const base = await registries.client(REGISTRY).getImageConfig(BASE_REPOSITORY, '1.23.0-python')
    const keepDir = path.join(work.dir, 'sent')
    mkdirSync(keepDir)
    scan = await scanThroughLoopback(local, { baseBlobs: new Map((base.layers ?? []).map(layer => [layer.digest, layer.size])), spoolDir: work.dir, keepDir })
  }, 240_000)

  afterAll(() => {
    try {
      docker(['image', 'rm', '--force', local])
    } catch {
      // Already gone.
    }
    restoreEnv()
    work.remove()
  })

  afterEach(async () => {
    await proxy?.close()
    proxy = undefined
  })

  /** uploadSent of the kept image through a proxy with `rules`, to a new repository of the proxy's registry. */
  async function upload(name: string, rules: Rule[], options: Partial<UploadOptions> & { baseThroughProxy?: boolean } = {}) {
    const state = mustBeUp(stack)
    proxy = await startFaultProxy(state.registry, rules)
    const repository = `upload-sent/${name}-${RUN}-${engine.name.replace(/[^a-z0-9]/g, '')}`
    const refs = [`${proxy.registry}/${repository}:a`]
    const registries = runRegistries({
      repository: `${proxy.registry}/${repository}`,
      'registry-username': state.username,
      'registry-password': state.password
    })
    const { baseThroughProxy, ...rest } = options
    const baseReference = baseThroughProxy ? `${proxy.registry}/${BASE_REPOSITORY}:1.23.0-python` : BASE
    const run = (tags: string[]) =>
      uploadSent(scan.sent!, tags, { registries, baseReference, timeoutMs: 60_000, stallMs: 10_000, retries: 1, retryDelayMs: 10, ...rest })
    return { repository, refs, run, registries, log: (proxy as FaultProxy).log }
  }

  const sentBlobs = (): number => scan.blobsSent

  test('the registry holds the manifest the engine sent; the base blob is copied from its registry; a second tag sends nothing', async () => {
    expect(scan.sent).toBeDefined()
    expect(JSON.parse(scan.sent!.top.body.toString('utf8')).manifests !== undefined).toBe(containerd)
    const { repository, refs, run, log } = await upload('copy', [])
    const result = await run(refs)
    expect(result).toMatchObject({ digest: scan.sent!.top.digest, uploaded: sentBlobs(), present: 0, fromBase: 1 })
    // The base blob came from 127.0.0.1:5000 directly (another registry than the proxy's) and went up through the proxy.
    expect(log.filter(line => line.startsWith('GET') && line.includes('/blobs/'))).toEqual([])
    expect(log.filter(line => line.startsWith('PUT') && line.includes('/blobs/uploads/'))).toHaveLength(sentBlobs() + 1)

    const stored = await new RegistryClient(mustBeUp(stack)).getManifest(repository, 'a')
    expect(stored?.digest).toBe(scan.sent!.top.digest)
    // The engine pulls it, and has the verified layers.
    const pulled = `${REGISTRY}/${repository}:a`
    docker(['pull', '--quiet', pulled])
    try {
      expect(JSON.parse(docker(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', pulled]))).toEqual(diffIds)
    } finally {
      docker(['image', 'rm', pulled])
    }

    const again = await run([`${refs[0]!.slice(0, -2)}:b`])
    expect(again).toMatchObject({ digest: scan.sent!.top.digest, uploaded: 0, present: sentBlobs() + 1, fromBase: 0 })
  }, 180_000)

  test('in the base registry, the base blob is mounted, never read', async () => {
    const { refs, run, log } = await upload('mount', [], { baseThroughProxy: true })
    const result = await run(refs)
    expect(result).toMatchObject({ digest: scan.sent!.top.digest, fromBase: 1 })
    expect(log.some(line => line.startsWith('GET') && line.includes('/blobs/'))).toBe(false)
    expect(log.filter(line => line.startsWith('PUT') && line.includes('/blobs/uploads/'))).toHaveLength(sentBlobs())
  }, 180_000)

  test('a 500 on one blob PUT and a stall on another: each blob is tried again and the upload completes', async () => {
    const put = { method: 'PUT', path: /\/blobs\/uploads\// }
    const { repository, refs, run, log } = await upload(
      'faults',
      [
        { ...put, fault: { kind: 'status', status: 500 }, requests: [1] },
        { ...put, fault: { kind: 'stall' }, requests: [1] }
      ],
      { stallMs: 1_500 }
    )
    const result = await run(refs)
    expect(result.digest).toBe(scan.sent!.top.digest)
    expect(log.filter(line => line.endsWith('-> 500'))).toHaveLength(1)
    expect(log.filter(line => line.endsWith('-> stall'))).toHaveLength(1)
    expect((await new RegistryClient(mustBeUp(stack)).getManifest(repository, 'a'))?.digest).toBe(scan.sent!.top.digest)
  }, 180_000)

  test('a refusal to push is not tried again and says push (write) access is missing', async () => {
    const denied = JSON.stringify({ errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] })
    const { refs, run, log } = await upload('denied', [{ method: 'POST', path: /\/blobs\/uploads\/$/, fault: { kind: 'status', status: 403, body: denied } }])
    const thrown = await run(refs).then(
      () => undefined,
      (error: unknown) => error
    )
    expect(thrown).toBeInstanceOf(RegistryError)
    expect((thrown as RegistryError).kind).toBe('forbidden')
    expect((thrown as RegistryError).message).toContain('lack push (write) permission on upload-sent/denied-')
    expect((thrown as RegistryError).message).toContain('use registry-username/registry-password that may push to upload-sent/denied-')
    // Three blobs at once may each be refused once; none is asked twice.
    const posts = log.filter(line => line.startsWith('POST'))
    expect(posts.length).toBeLessThanOrEqual(Math.min(3, sentBlobs() + 1))
  }, 180_000)

  test('the action falls back to docker push when the registry will not take its upload, and says so', async () => {
    const state = mustBeUp(stack)
    // Only the action's own requests (Node's fetch) are refused: dockerd's go through.
    proxy = await startFaultProxy(state.registry, [{ agent: /^node/, method: 'POST', path: /\/blobs\/uploads\/$/, fault: { kind: 'status', status: 405 } }])
    const repository = `${proxy.registry}/upload-sent/fallback-${RUN}-${engine.name.replace(/[^a-z0-9]/g, '')}`
    const workspace = path.join(work.dir, 'workspace')
    mkdirSync(path.join(workspace, 'image'), { recursive: true })
    // The base through the proxy too: the step's login (to the proxy's registry) is the one the build pulls it with.
    const base = `${proxy.registry}/${BASE_REPOSITORY}`
    writeFileSync(
      path.join(workspace, 'image', 'Dockerfile'),
      `FROM ${base}:1.23.0-python\nUSER root\nRUN echo fallback-${RUN} > /fallback.txt\nUSER openhands\n`
    )
    const run = await runAction(
      {
        'agent-server-version': '1.23.0',
        'base-image': base,
        context: 'image',
        repository,
        tag: 'fb',
        'registry-username': state.username,
        'registry-password': state.password
      },
      workspace,
      { DOCKER_HOST: engine.dockerHost }
    )
    const warnings = run.annotations.filter(a => a.level === 'warning').map(a => a.message)
    if (process.env.UPLOAD_DEBUG) console.log(run.log.slice(-6000), proxy.log.join('\n'))
    expect(warnings).toContainEqual(
      expect.stringMatching(/^The upload of the verified image's blobs did not complete \(.*HTTP 405.*\); pushing it with docker push instead\.$/)
    )
    expect(run.exitCode).toBe(0)
    expect(run.outputs.pushed).toBe('true')
    const stored = await new RegistryClient(state).getManifest(repository.slice(proxy.registry.length + 1), 'fb')
    expect(run.outputs.digest).toBe(stored?.digest)
    expect(run.log).toMatch(/the registry's layers are the verified ones/)
    expect(proxy.log.some(line => line.startsWith('POST') && line.endsWith('-> forward'))).toBe(true)
    docker(['image', 'rm', `${repository}:fb`])
  }, 300_000)
})
