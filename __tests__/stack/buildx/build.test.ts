/**
 * buildAndPush and the post step's cleanup against the real stack (scripts/e2e-stack.sh up): a real dockerd and buildx
 * build for linux/amd64 and push to the htpasswd registry on 127.0.0.1:5000, checked over the registry's HTTP API.
 * Each case runs on every engine of the stack (Docker 20.10; Docker 26 with the containerd image store), chosen by
 * DOCKER_HOST. In CI these run and fail when the stack is down; elsewhere they are skipped when it is not up.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { buildAndPush, type BuildFacts, type BuildResult } from '../../../src/buildx/build.js'
import { runDocker } from '../../../src/buildx/docker.js'
import { cleanup } from '../../../src/buildx/post.js'
import { resolveTags } from '../../../src/buildx/tags.js'
import { STATE } from '../../../src/buildx/state.js'
import { UserError } from '../../../src/errors.js'
import type { Inputs } from '../../../src/inputs.js'
import { BASE_ENTRYPOINT, RegistryClient, e2eEnabled, mustBeUp, stackEngines, stackState, type StackState } from '../../support/stack.js'
import { captureStdout, savedState, scopedEnv, tempDir } from '../../buildx/support/capture.js'
import { testInputs } from '../../support/inputs.js'
import { runRegistries } from '../../../src/registry/for-inputs.js'

const stack = await stackState()
const describeStack = e2eEnabled(stack) ? describe : describe.skip

const REPO = 'build-tests/sandbox'
const SHA = '0123456789abcdef0123456789abcdef01234567'
// Generated per run: no secret-looking literal is committed (the project's own scan would flag it).
const SECRET = `tok-${randomBytes(8).toString('hex')}`
/** One tag namespace per run (and engine), so parallel or repeated runs never see each other's tags. */
const RUN = `r${process.pid.toString(36)}${Date.now().toString(36)}`
const facts = {
  release: '1.23.0',
  baseReference: '127.0.0.1:5000/openhands/agent-server:1.23.0-python',
  sha: SHA,
  repositoryUrl: 'https://github.com/acme/sandbox'
}

// Made in beforeAll, not at load: jest runs no hooks in a file whose tests are all skipped.
let work: ReturnType<typeof tempDir>
let context: string
let runnerTemp: string
let dockerConfig: string
let restoreEnv: () => void
const pushedRefs: string[] = []

function dockerfile(name: string, text: string): string {
  const file = path.join(context, name)
  writeFileSync(file, text)
  return file
}

/** As main.ts does: the run's tags resolved once, before anything runs, then the build. */
async function attempt(
  inputs: Inputs,
  extra: Partial<typeof facts> & Pick<BuildFacts, 'loadAs' | 'onLoadNamed'> = {}
): Promise<{ log: string; result?: BuildResult; error?: unknown }> {
  const known = { ...facts, ...extra }
  const outcome = await captureStdout(() => {
    const tags = resolveTags({ repository: inputs.repository, tag: inputs.tag, 'extra-tags': inputs['extra-tags'], release: known.release, sha: known.sha })
    return buildAndPush(inputs, { ...known, tags, workspace: work.dir, tempDir: runnerTemp, registries: runRegistries(inputs) })
  })
  pushedRefs.push(...(outcome.result?.tags ?? []))
  return outcome
}

beforeAll(() => {
  work = tempDir('build-test-')
  context = path.join(work.dir, 'context')
  runnerTemp = path.join(work.dir, 'runner-temp')
  dockerConfig = path.join(work.dir, 'docker-config')
  for (const dir of [context, runnerTemp, dockerConfig]) mkdirSync(dir, { recursive: true })
  restoreEnv = scopedEnv({
    DOCKER_CONFIG: dockerConfig,
    RUNNER_TEMP: runnerTemp,
    GITHUB_WORKSPACE: work.dir,
    GITHUB_STATE: undefined,
    GITHUB_SHA: undefined,
    GITHUB_REPOSITORY: undefined,
    GITHUB_SERVER_URL: undefined
  })
  dockerfile(
    'Dockerfile',
    [
      'FROM 127.0.0.1:5000/openhands/agent-server:1.23.0-python',
      'ARG TOOL_REF=none',
      'USER root',
      'RUN --mount=type=secret,id=tool_token,required test -s /run/secrets/tool_token && echo "$TOOL_REF" > /opt-tool-ref',
      'USER openhands',
      ''
    ].join('\n')
  )
})

afterAll(async () => {
  restoreEnv()
  if (stack) {
    const registry = new RegistryClient(stack)
    for (const ref of new Set(pushedRefs)) {
      const tag = ref.slice(ref.lastIndexOf(':') + 1)
      await registry.deleteTag(REPO, tag).catch(() => false)
    }
  }
  work.remove()
})

describeStack.each(stackEngines())('buildAndPush on $name', engine => {
  const run = `${RUN}-${engine.name}`
  let state: StackState
  let registry: RegistryClient
  let restoreHost: () => void
  beforeAll(() => {
    state = mustBeUp(stack)
    registry = new RegistryClient(state)
    restoreHost = scopedEnv({ DOCKER_HOST: engine.dockerHost })
  })
  afterAll(async () => {
    // The docker driver also names the image in the daemon's store, even when the push then fails: remove this
    // run's images, whatever registry they name, to leave the daemon as it was.
    const images = await runDocker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'], { silent: true })
    const ours = images.stdout.split('\n').filter(ref => ref.includes(`/${REPO}:${run}`) || pushedRefs.includes(ref))
    if (ours.length > 0) await runDocker(['image', 'rm', '--force', ...ours], { silent: true })
    restoreHost()
  })
  const repository = (): string => `${state.registry}/${REPO}`
  const withLogin = (changes: Partial<Inputs> = {}): Inputs =>
    testInputs(context, {
      repository: repository(),
      'registry-username': state.username,
      'registry-password': state.password,
      secrets: [{ id: 'tool_token', value: SECRET }],
      ...changes
    })

  test('logs in, builds linux/amd64, pushes every tag, and reports the digest the registry has', async () => {
    const tag = `${run}-push`
    const { log, result, error } = await attempt(
      withLogin({ tag, 'extra-tags': [`${run}-extra`], labels: { 'com.acme.team': 'platform' }, 'build-args': { TOOL_REF: 'v1.2' } })
    )
    expect(error).toBeUndefined()
    expect(result).toMatchObject({
      repository: repository(),
      tag,
      image: `${repository()}:${tag}`,
      tags: [`${repository()}:${tag}`, `${repository()}:${run}-extra`],
      pushed: true
    })
    expect(result?.seconds).toBeGreaterThan(0)

    const manifest = await registry.getManifest(REPO, tag)
    expect(result?.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(result?.digest).toBe(manifest?.digest)
    expect((await registry.getManifest(REPO, `${run}-extra`))?.digest).toBe(manifest?.digest)

    const config = await registry.getConfig(REPO, tag)
    expect(`${config.os}/${config.architecture}`).toBe('linux/amd64')
    expect(config.entrypoint).toEqual([...BASE_ENTRYPOINT])
    expect(config.user).toBe('openhands')
    expect(config.labels).toMatchObject({
      'org.opencontainers.image.source': 'https://github.com/acme/sandbox',
      'org.opencontainers.image.revision': SHA,
      'org.opencontainers.image.version': '1.23.0',
      'org.opencontainers.image.base.name': '127.0.0.1:5000/openhands/agent-server:1.23.0-python',
      'com.acme.team': 'platform'
    })
    expect(Date.parse(config.labels['org.opencontainers.image.created'] ?? '')).toBeGreaterThan(Date.now() - 600_000)

    // The log: a progress line per phase, the build in a group, and no secret anywhere.
    expect(log).toContain(`Logging in to ${state.registry} as ${state.username}`)
    expect(log).toContain('Passing 1 build secret(s) as files in a private temp dir: tool_token')
    expect(log).toContain(`::group::Build ${repository()}:${tag}`)
    expect(log).toContain('::endgroup::')
    expect(log).toContain(`Pushed ${repository()}:${tag} (${result?.digest ?? ''})`)
    expect(log).not.toContain(state.password)
    expect(log).not.toContain(SECRET)

    // State for the post step: the registry and the temp dir, never a credential; the dir is already gone.
    const saved = savedState(log)
    expect(saved[STATE.registry]).toBe(state.registry)
    expect(saved[STATE.tempDir]).toMatch(new RegExp(`^${runnerTemp}/ohe-sandbox-image-`))
    expect(existsSync(saved[STATE.tempDir] ?? '/')).toBe(false)
    expect(Object.values(saved).join('\n')).not.toContain(state.password)

    // The post step logs out of that registry.
    const auths = (): Record<string, unknown> =>
      (JSON.parse(readFileSync(path.join(dockerConfig, 'config.json'), 'utf8')) as { auths?: Record<string, unknown> }).auths ?? {}
    expect(auths()).toHaveProperty([state.registry])
    const restoreState = scopedEnv({ [`STATE_${STATE.registry}`]: saved[STATE.registry], [`STATE_${STATE.tempDir}`]: saved[STATE.tempDir] })
    try {
      const post = await captureStdout(() => cleanup())
      expect(post.error).toBeUndefined()
      expect(post.log).not.toContain('::warning')
    } finally {
      restoreState()
    }
    expect(auths()).not.toHaveProperty([state.registry])
  })

  test('the default tag is <release>-<short sha>', async () => {
    const sha = `${Date.now().toString(16).padStart(12, '0')}${'a'.repeat(28)}`
    const { result, error } = await attempt(withLogin(), { sha })
    expect(error).toBeUndefined()
    expect(result?.tag).toBe(`1.23.0-${sha.slice(0, 7)}`)
    expect(result?.pushed).toBe(true)
    expect((await registry.getManifest(REPO, result?.tag ?? ''))?.digest).toBe(result?.digest)
  })

  test('push: false builds, pushes nothing, claims nothing, and leaves no image in the daemon', async () => {
    const tag = `${run}-nopush`
    const { log, result, error } = await attempt(withLogin({ tag, push: false }))
    expect(error).toBeUndefined()
    expect(result).toMatchObject({ tag, pushed: false })
    expect(result?.digest).toBeUndefined()
    expect(await registry.getManifest(REPO, tag)).toBeUndefined()
    expect((await runDocker(['image', 'inspect', `${repository()}:${tag}`], { silent: true })).exitCode).not.toBe(0)
    expect(log).toContain('not pushed (push is false)')
  })

  test('a load build says once, before it ends, when the engine holds the image, which can be read from then on', async () => {
    const local = `ohe-sandbox-verify:${run.replace(/[^a-z0-9]/g, '').slice(-20)}`
    const inspected: Array<Promise<number>> = []
    let ended = false
    const { result, error } = await attempt(withLogin({ tag: `${run}-load`, push: false }), {
      loadAs: local,
      onLoadNamed: () => {
        expect(ended).toBe(false)
        inspected.push(runDocker(['image', 'inspect', '--format', '{{.Id}}', local], { silent: true }).then(run => run.exitCode))
      }
    })
    ended = true
    expect(error).toBeUndefined()
    expect(result?.pushed).toBe(false)
    expect(await Promise.all(inspected)).toEqual([0])
    await runDocker(['image', 'rm', local], { silent: true })
  })

  test('a failing RUN: buildx error lines and the step output in a UserError, nothing pushed, no secret shown', async () => {
    const tag = `${run}-fails`
    const file = dockerfile(
      'Fail.Dockerfile',
      [
        'FROM 127.0.0.1:5000/openhands/agent-server:1.23.0-python',
        'USER root',
        'RUN --mount=type=secret,id=tool_token echo "token is $(cat /run/secrets/tool_token)" && exit 3',
        ''
      ].join('\n')
    )
    const { log, error } = await attempt(withLogin({ tag, file }))
    expect(error).toBeInstanceOf(UserError)
    const message = (error as UserError).message
    expect(message.split('\n')[0]).toBe('docker buildx build failed (exit code 1):')
    expect(message).toMatch(/exit code: 3/)
    // The step printed the secret: the runner masks it in the log, and the message (summary too) has it redacted.
    expect(message).toContain('  token is ***')
    expect(message).not.toContain(SECRET)
    expect(message).toContain('Hint: A RUN instruction failed')
    expect(log).toContain('The build failed after')
    expect(await registry.getManifest(REPO, tag)).toBeUndefined()
  })

  test('a wrong password: the login fails with the credentials hint, before any build', async () => {
    const tag = `${run}-badpass`
    const { log, error } = await attempt(withLogin({ tag, 'registry-password': `${state.password}-wrong` }))
    expect(error).toBeInstanceOf(UserError)
    const message = (error as UserError).message
    expect(message).toMatch(new RegExp(`^docker login to ${state.registry.replace(/\./g, '\\.')} as ${state.username} failed:\n`))
    expect(message).toContain('401 Unauthorized')
    expect(message).toContain('Hint: The registry refused the credentials')
    expect(message).not.toContain(state.password)
    expect(log).not.toContain('::group::Build')
    expect(savedState(log)[STATE.registry]).toBeUndefined()
    expect(await registry.getManifest(REPO, tag)).toBeUndefined()
  })

  test('no credentials and none in docker: the push is refused with the credentials hint', async () => {
    const tag = `${run}-nocreds`
    const empty = tempDir('build-test-empty-config-')
    const restore = scopedEnv({ DOCKER_CONFIG: empty.dir })
    let error: unknown
    try {
      ;({ error } = await attempt(testInputs(context, { repository: repository(), tag, secrets: [{ id: 'tool_token', value: SECRET }] })))
    } finally {
      restore()
      empty.remove()
    }
    expect(error).toBeInstanceOf(UserError)
    expect((error as UserError).message).toContain('Hint: The registry refused the credentials')
    expect(await registry.getManifest(REPO, tag)).toBeUndefined()
  })

  test('a registry that does not answer: connection refused, with the unreachable hint', async () => {
    // 127.0.0.1:5999 has no listener: the same error a stopped registry gives, without stopping the shared one.
    const { error } = await attempt(
      testInputs(context, { repository: '127.0.0.1:5999/build-tests/sandbox', tag: `${run}-down`, secrets: [{ id: 'tool_token', value: SECRET }] })
    )
    expect(error).toBeInstanceOf(UserError)
    const message = (error as UserError).message
    expect(message).toContain('connection refused')
    expect(message).toContain('Hint: The registry is unreachable')
  })

  test('a bad extra tag fails before anything runs', async () => {
    const { log, error } = await attempt(withLogin({ 'extra-tags': ['bad tag'] }))
    expect(error).toBeInstanceOf(UserError)
    expect((error as UserError).message).toMatch(/^extra-tags: 'bad tag' is not a valid Docker tag/)
    expect(log).not.toContain('Logging in')
  })
})
