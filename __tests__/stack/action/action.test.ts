/**
 * The bundled action against the real stack (scripts/e2e-stack.sh): dockerd, buildx, an htpasswd registry on
 * 127.0.0.1:5000 with stand-in agent-server bases. The push runs on every engine of the stack (Docker 20.10; Docker
 * 26 with the containerd image store), chosen by DOCKER_HOST. Runs in CI always; skipped elsewhere when the stack is down.
 */
import { jest } from '@jest/globals'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { checksummed } from '../../secrets/fixtures.js'
import { runAction, runPostStep, type ActionRun } from '../../support/action-runner.js'
import {
  BASE_ENTRYPOINT,
  BASE_REPOSITORY,
  REGISTRY,
  RegistryClient,
  e2eEnabled,
  mustBeUp,
  stackEngines,
  stackState,
  type StackState
} from '../../support/stack.js'
import { scratchDir } from '../../support/scratch.js'

const stack = await stackState()
const describeE2E = e2eEnabled(stack) ? describe : describe.skip
jest.setTimeout(180_000)

const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'
const base = `${REGISTRY}/${BASE_REPOSITORY}`

function contextWith(dockerfile: string, files: Record<string, string> = {}): string {
  const workspace = scratchDir('e2e-action-')
  mkdirSync(path.join(workspace, 'image'))
  writeFileSync(path.join(workspace, 'image', 'Dockerfile'), dockerfile)
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(workspace, 'image', name), content)
  return workspace
}

/** A repository of its own per test, so parallel test files never see each other's tags. */
const newRepository = () => `${REGISTRY}/e2e/sandbox-${randomBytes(4).toString('hex')}`

function inputs(repository: string, extra: Record<string, string> = {}): Record<string, string> {
  const { username, password } = mustBeUp(stack)
  return {
    'agent-server-version': '1.23.0',
    'base-image': base,
    context: 'image',
    repository,
    'registry-username': username,
    'registry-password': password,
    ...extra
  }
}

const goodDockerfile = `FROM ${base}:1.23.0-python\nUSER root\nRUN echo baked > /opt-baked.txt\nUSER openhands\n`

async function tagsOf(repository: string): Promise<string[]> {
  return new RegistryClient(mustBeUp(stack)).listTags(repository.slice(REGISTRY.length + 1))
}

function expectNoSecretsIn(run: ActionRun): void {
  const { password } = mustBeUp(stack)
  // `::add-mask::` is how a step asks the runner to mask a value; the runner never shows that line.
  const shown = run.log.split('\n').filter(line => !line.startsWith('::add-mask::'))
  expect(shown.join('\n')).not.toContain(password)
  expect(run.summary).not.toContain(password)
  expect(JSON.stringify(run.outputs)).not.toContain(password)
  expect(JSON.stringify(run.state)).not.toContain(password)
}

describeE2E('build and push against the real stack', () => {
  it.each(stackEngines())('on $name: pushes a linux/amd64 image whose digest, labels and entrypoint the registry confirms', async engine => {
    const repository = newRepository()
    const workspace = contextWith(goodDockerfile)
    const run = await runAction(inputs(repository, { 'extra-tags': 'stable' }), workspace, { DOCKER_HOST: engine.dockerHost })
    expect(run.annotations.filter(a => a.level === 'error')).toEqual([])
    expect(run.exitCode).toBe(0)

    const tag = `1.23.0-${SHA.slice(0, 7)}`
    expect(run.outputs).toMatchObject({ repository, tag, image: `${repository}:${tag}`, pushed: 'true', 'ohe-release': '', 'agent-server-version': '1.23.0' })
    expect((await tagsOf(repository)).sort()).toEqual([tag, 'stable'].sort())

    const registry = new RegistryClient(mustBeUp(stack))
    const name = repository.slice(REGISTRY.length + 1)
    const manifest = await registry.getManifest(name, tag)
    expect(run.outputs.digest).toBe(manifest?.digest)
    const config = await registry.getConfig(name, tag)
    expect([config.os, config.architecture]).toEqual(['linux', 'amd64'])
    expect(config.entrypoint).toEqual([...BASE_ENTRYPOINT])
    expect(config.cmd).toBeNull()
    expect(config.labels['org.opencontainers.image.revision']).toBe(SHA)
    expect(config.labels['org.opencontainers.image.version']).toBe('1.23.0')
    expect(config.labels['org.opencontainers.image.base.name']).toBe(`${base}:1.23.0-python`)
    const baseManifest = await registry.getManifest(BASE_REPOSITORY, '1.23.0-python')
    expect(config.labels['org.opencontainers.image.base.digest']).toBe(baseManifest?.digest)
    expect(run.summary).toContain('### Image contract (verified in the registry)')

    expect(run.summary).toContain(`| Sandbox Image Repository | \`${repository}\` |`)
    expect(run.summary).toContain(`| Sandbox Image Tag | \`${tag}\` |`)
    expect(run.summary.indexOf('Sandbox Image Repository')).toBeLessThan(run.summary.indexOf('### Checks'))
    expectNoSecretsIn(run)

    // The step logged in within a docker config of its own: the runner's config is never written, and the copy is gone
    // when the step ends; the post step has nothing to log out.
    expect(existsSync(path.join(run.dockerConfig, 'config.json'))).toBe(false)
    const own = run.state['docker-config-dir'] ?? ''
    expect(path.basename(own)).toMatch(/^ohe-docker-config-/)
    expect(existsSync(own)).toBe(false)
    const post = await runPostStep(run, workspace)
    expect(post.exitCode).toBe(0)
    expect(post.annotations).toEqual([])
    expect(existsSync(path.join(run.dockerConfig, 'config.json'))).toBe(false)
  })

  it('leaves an earlier docker login for the same registry as it was, through the step and its post step', async () => {
    const repository = newRepository()
    const workspace = contextWith(goodDockerfile)
    // What docker/login-action would have left: another account's login for the same registry.
    const userConfig = scratchDir('e2e-user-docker-')
    const earlier = `${JSON.stringify({ auths: { [REGISTRY]: { auth: Buffer.from(`earlier-user:${randomBytes(8).toString('hex')}`).toString('base64') } } }, null, '\t')}\n`
    writeFileSync(path.join(userConfig, 'config.json'), earlier)
    const run = await runAction(inputs(repository), workspace, { DOCKER_CONFIG: userConfig })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.pushed).toBe('true')
    expect(readFileSync(path.join(userConfig, 'config.json'), 'utf8')).toBe(earlier)
    const post = await runPostStep(run, workspace)
    expect(post.exitCode).toBe(0)
    expect(readFileSync(path.join(userConfig, 'config.json'), 'utf8')).toBe(earlier)
  })

  it('keeps an image built from the same base digest and revision when skip-unchanged is true', async () => {
    const repository = newRepository()
    const workspace = contextWith(goodDockerfile)
    const skipping = inputs(repository, { 'skip-unchanged': 'true', tag: 'weekly' })
    const first = await runAction(skipping, workspace)
    expect(first.exitCode).toBe(0)
    expect(first.outputs.pushed).toBe('true')
    const config = await new RegistryClient(mustBeUp(stack)).getConfig(repository.slice(REGISTRY.length + 1), first.outputs.tag ?? '')
    expect(config.labels['org.opencontainers.image.base.digest']).toMatch(/^sha256:[0-9a-f]{64}$/)

    const second = await runAction(skipping, workspace)
    expect(second.exitCode).toBe(0)
    expect(second.outputs).toMatchObject({ pushed: 'false', repository, tag: first.outputs.tag, digest: first.outputs.digest })
    expect(second.log).not.toContain('buildx build')
    expect(second.summary).toContain('was built from the same base digest and revision, so it was kept')
    expect(second.summary).toContain(`| Sandbox Image Tag | \`${first.outputs.tag}\` |`)

    // Another revision at the same tag is rebuilt: its revision label differs, so does its digest.
    const third = await runAction(skipping, workspace, { GITHUB_SHA: 'f'.repeat(40) })
    expect(third.log).toContain(`skip-unchanged: building ${repository}:weekly: the image there is not the same: it was built from revision`)
    expect(third.outputs).toMatchObject({ pushed: 'true', tag: 'weekly' })
    expect(third.outputs.digest).not.toBe(first.outputs.digest)
  })

  it('builds without pushing when push is false', async () => {
    const repository = newRepository()
    const run = await runAction(inputs(repository, { push: 'false' }), contextWith(goodDockerfile))
    expect(run.exitCode).toBe(0)
    expect(run.outputs.pushed).toBe('false')
    expect(run.outputs).not.toHaveProperty('digest')
    expect(run.outputs).not.toHaveProperty('repository')
    expect(await tagsOf(repository)).toEqual([])
  })

  it.each([
    ['a wrong password', goodDockerfile, { 'registry-password': 'not-the-password' }, /unauthorized|authentication|401/i],
    ['a base image on another release', goodDockerfile.replace('1.23.0-python', '1.22.0-python'), {}, /1\.22\.0-python/],
    ['a replaced entrypoint', `${goodDockerfile}ENTRYPOINT ["/bin/sh"]\n`, {}, /ENTRYPOINT/],
    ['a failing RUN', `FROM ${base}:1.23.0-python\nRUN echo about to fail && exit 3\n`, {}, /exit code: 3|exit 3/]
  ])('fails on %s and leaves the registry without the tag', async (_name, dockerfile, extra, expected) => {
    const repository = newRepository()
    const run = await runAction(inputs(repository, extra), contextWith(dockerfile))
    expect(run.exitCode).toBe(1)
    const errors = run.annotations.filter(a => a.level === 'error').map(a => a.message)
    expect(errors.join('\n')).toMatch(expected)
    expect(run.outputs.pushed).toBe('false')
    expect(run.outputs).not.toHaveProperty('digest')
    expect(await tagsOf(repository)).toEqual([])
    expectNoSecretsIn(run)
  })

  it('fails on a secret in the build context before building, and leaves the registry without the tag', async () => {
    const repository = newRepository()
    const token = checksummed('ghp_')
    const run = await runAction(inputs(repository), contextWith(goodDockerfile, { 'deploy.env': `GITHUB_TOKEN=${token}\n` }))
    expect(run.exitCode).toBe(1)
    expect(run.annotations.filter(a => a.level === 'error').map(a => a.properties.file)).toEqual(['image/deploy.env', undefined])
    expect(run.log).not.toContain('buildx build')
    expect(run.log).not.toContain(token)
    expect(run.outputs).toMatchObject({ pushed: 'false', findings: '1' })
    expect(await tagsOf(repository)).toEqual([])
  })

  it('fails with a hint when the push registry has stopped, and it holds no tag once it is back', async () => {
    // A registry of this test's own (no auth, 127.0.0.1:5001): stopping the shared one would break other tests.
    const own = await startRegistry(5001)
    const repository = `${own.address}/e2e/stopped-${randomBytes(4).toString('hex')}`
    await own.stop()
    // No registry-* inputs: docker's own login to the shared registry pulls the base; the push then meets the stopped one.
    const run = await runAction({ ...inputs(repository), 'registry-username': '', 'registry-password': '' }, contextWith(goodDockerfile), {
      DOCKER_CONFIG: dockerConfigFor(mustBeUp(stack))
    })
    expect(run.exitCode).toBe(1)
    expect(run.log).toContain('buildx build')
    expect(run.outputs.pushed).toBe('false')
    expect(run.outputs).not.toHaveProperty('digest')
    expect(run.annotations.map(a => a.message).join('\n')).toMatch(/connection refused[\s\S]*Hint: The registry is unreachable/i)
    const back = await startRegistry(5001, own.storage)
    try {
      const response = await fetch(`http://${back.address}/v2/${repository.slice(back.address.length + 1)}/tags/list`)
      expect(response.status).toBe(404) // the repository was never created
    } finally {
      await back.stop()
    }
  })
})

/** A private DOCKER_CONFIG logged in to the shared registry, as docker login (or docker/login-action) leaves it. */
function dockerConfigFor(state: StackState): string {
  const dir = scratchDir('e2e-docker-config-')
  const auth = Buffer.from(`${state.username}:${state.password}`).toString('base64')
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: { [state.registry]: { auth } } }))
  return dir
}

/** Runs Debian's docker-registry (Distribution) without auth on 127.0.0.1:<port>, storing under `storage`. */
async function startRegistry(port: number, storage = scratchDir('e2e-registry-')): Promise<{ address: string; storage: string; stop: () => Promise<void> }> {
  const address = `127.0.0.1:${port}`
  const config = path.join(storage, 'config.yml')
  writeFileSync(config, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${storage}/data\nhttp:\n  addr: ${address}\n`)
  const child = spawn('docker-registry', ['serve', config], { stdio: 'ignore' })
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`http://${address}/v2/`).then(
      r => r.ok,
      () => false
    )
    if (up) break
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  const stop = () =>
    new Promise<void>(resolve => {
      if (child.exitCode !== null) return resolve()
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
    })
  return { address, storage, stop }
}
