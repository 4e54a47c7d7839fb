/**
 * The bundled action against the real stack (scripts/e2e-stack.sh): dockerd, buildx, an htpasswd registry on
 * 127.0.0.1:5000 with stand-in agent-server bases. Runs in CI always; skipped elsewhere when the stack is down.
 */
import { jest } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { checksummed } from '../secrets/fixtures.js'
import { runAction, runPostStep, type ActionRun } from '../support/action-runner.js'
import { BASE_ENTRYPOINT, BASE_REPOSITORY, REGISTRY, RegistryClient, e2eEnabled, mustBeUp, stackState } from './stack.js'

const stack = await stackState()
const describeE2E = e2eEnabled(stack) ? describe : describe.skip
jest.setTimeout(180_000)

const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'
const base = `${REGISTRY}/${BASE_REPOSITORY}`

function contextWith(dockerfile: string, files: Record<string, string> = {}): string {
  const workspace = mkdtempSync(path.join(tmpdir(), 'e2e-action-'))
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
    'ohe-release': '1.23.0',
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
  it('pushes a linux/amd64 image whose digest, labels and entrypoint the registry confirms', async () => {
    const repository = newRepository()
    const workspace = contextWith(goodDockerfile)
    const run = await runAction(inputs(repository, { 'extra-tags': 'stable' }), workspace)
    expect(run.annotations.filter(a => a.level === 'error')).toEqual([])
    expect(run.exitCode).toBe(0)

    const tag = `1.23.0-${SHA.slice(0, 7)}`
    expect(run.outputs).toMatchObject({ repository, tag, image: `${repository}:${tag}`, pushed: 'true', 'ohe-release': '1.23.0' })
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

    const post = await runPostStep(run, workspace)
    expect(post.exitCode).toBe(0)
    expect(post.annotations).toEqual([])
  })

  it('keeps an image built from the same base digest and revision when skip-unchanged is true', async () => {
    const repository = newRepository()
    const workspace = contextWith(goodDockerfile)
    const first = await runAction(inputs(repository, { 'skip-unchanged': 'true' }), workspace)
    expect(first.exitCode).toBe(0)
    expect(first.outputs.pushed).toBe('true')
    const config = await new RegistryClient(mustBeUp(stack)).getConfig(repository.slice(REGISTRY.length + 1), first.outputs.tag ?? '')
    expect(config.labels['org.opencontainers.image.base.digest']).toMatch(/^sha256:[0-9a-f]{64}$/)

    const second = await runAction(inputs(repository, { 'skip-unchanged': 'true' }), workspace)
    expect(second.exitCode).toBe(0)
    expect(second.outputs).toMatchObject({ pushed: 'false', repository, tag: first.outputs.tag, digest: first.outputs.digest })
    expect(second.log).not.toContain('buildx build')
    expect(second.summary).toContain('was built from the same base digest and revision, so it was kept')
    expect(second.summary).toContain(`| Sandbox Image Tag | \`${first.outputs.tag}\` |`)

    // Another revision is rebuilt: a new build gets a new digest (its created label differs).
    const third = await runAction(inputs(repository, { 'skip-unchanged': 'true' }), workspace, { GITHUB_SHA: 'f'.repeat(40) })
    expect(third.outputs.pushed).toBe('true')
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

  it('fails with a hint when the registry does not answer', async () => {
    // A port where nothing listens stands for a stopped registry without stopping the shared one.
    const run = await runAction(inputs('127.0.0.1:5999/e2e/sandbox'), contextWith(goodDockerfile))
    expect(run.exitCode).toBe(1)
    expect(run.outputs.pushed).toBe('false')
    expect(run.annotations.map(a => a.message).join('\n')).toMatch(/connection refused|unreachable/i)
    expectNoSecretsIn(run)
  })
})
