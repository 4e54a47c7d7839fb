/**
 * ohe-release end to end on the real stack (dockerd, buildx, the registry at 127.0.0.1:5000): the bundled action
 * resolves an OHE release through a stand-in GitHub API (GITHUB_API_URL, real Octokit calls) or a release-map file,
 * checks the Dockerfile's base against the agent-server version the release ships, bumps an ARG-based base with a
 * build-arg, and pushes an image whose labels carry both versions. Runs in CI always; skipped elsewhere when the
 * stack is down. Needs a fresh `npm run bundle`.
 */
import { jest } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { configYaml, valuesYaml } from '../../release/fixtures.js'
import { startStandInGitHub, type StandInGitHub } from '../../release/stand-in-github.js'
import { runAction, type ActionRun } from '../../support/action-runner.js'
import { uniqueRepository } from '../../support/docker-push.js'
import { BASE_REPOSITORY, REGISTRY, RegistryClient, e2eEnabled, mustBeUp, stackState } from '../../support/stack.js'
import { scratchDir } from '../../support/scratch.js'

const stack = await stackState()
const describeE2E = e2eEnabled(stack) ? describe : describe.skip
jest.setTimeout(240_000)

const base = `${REGISTRY}/${BASE_REPOSITORY}`
const token = randomBytes(20).toString('hex')
/** OHE releases over the stand-in bases: 0.2.0 and 0.2.1 both ship 1.23.0, 0.3.0 and 0.3.1 ship 1.24.0. */
const SHIPS: Record<string, string> = {
  '0.1.0': '1.22.0-python',
  '0.2.0': '1.23.0-python',
  '0.2.1': '1.23.0-python',
  '0.3.0': '1.24.0-python',
  '0.3.1': '1.24.0-python'
}
const files = (tag: string) => ({ 'replicated/config.yaml': configYaml(tag), 'charts/openhands/values.yaml': valuesYaml(tag) })

let api: StandInGitHub
let limited: StandInGitHub
const pushed: Array<[string, string]> = []
beforeAll(async () => {
  const releases = Object.fromEntries(Object.entries(SHIPS).map(([release, tag]) => [release, files(tag)]))
  api = await startStandInGitHub({ repository: 'OpenHands/OpenHands-Cloud', releases, pageSize: 2 })
  limited = await startStandInGitHub({ repository: 'OpenHands/OpenHands-Cloud', releases, refuse: 'rate-limit', resetAt: Math.floor(Date.now() / 1000) + 900 })
})
afterAll(async () => {
  await Promise.all([api?.close(), limited?.close()])
  if (stack) {
    const registry = new RegistryClient(stack)
    for (const [name, tag] of pushed) await registry.deleteTag(name, tag).catch(() => false)
  }
})

function workspaceWith(dockerfile: string, map?: string): string {
  const workspace = scratchDir('i10-ohe-release-')
  mkdirSync(path.join(workspace, 'image'))
  writeFileSync(path.join(workspace, 'image', 'Dockerfile'), dockerfile)
  if (map !== undefined) writeFileSync(path.join(workspace, 'release-map.yaml'), map)
  return workspace
}

function inputs(repository: string, extra: Record<string, string>): Record<string, string> {
  const { username, password } = mustBeUp(stack)
  return { 'base-image': base, context: 'image', repository, 'registry-username': username, 'registry-password': password, 'github-token': token, ...extra }
}

const nameOf = (repository: string) => repository.slice(REGISTRY.length + 1)
const errorsOf = (run: ActionRun) => run.annotations.filter(annotation => annotation.level === 'error').map(annotation => annotation.message)
const argDockerfile = `ARG AGENT_SERVER_VERSION=1.22.0\nFROM ${base}:\${AGENT_SERVER_VERSION}-python\nUSER root\nRUN echo built-for-ohe > /opt-ohe.txt\nUSER openhands\n`

describeE2E('ohe-release on the real stack', () => {
  it('OHE 0.3.0 through the GitHub API: ships 1.24.0, the ARG base is bumped, the image is labelled with both versions', async () => {
    const repository = uniqueRepository(mustBeUp(stack), 'i10-ohe')
    const run = await runAction(inputs(repository, { 'ohe-release': '0.3.0' }), workspaceWith(argDockerfile), { GITHUB_API_URL: api.url })
    expect(errorsOf(run)).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({ 'ohe-release': '0.3.0', 'agent-server-version': '1.24.0', 'base-image': `${base}:1.24.0-python`, pushed: 'true' })
    expect(run.log).toContain('--build-arg AGENT_SERVER_VERSION=1.24.0')
    expect(run.summary).toContain('- OHE release: `0.3.0`, which ships agent-server `1.24.0`')
    expect(run.summary).toContain('- Fits: agent-server 1.24.0: OHE 0.3.0 to 0.3.1')
    const tag = run.outputs.tag ?? ''
    pushed.push([nameOf(repository), tag])
    expect(tag).toMatch(/^1\.24\.0-[0-9a-f]{7}$/)

    const registry = new RegistryClient(mustBeUp(stack))
    const config = await registry.getConfig(nameOf(repository), tag)
    expect(config.labels['dev.openhands.agent-server.version']).toBe('1.24.0')
    expect(config.labels['dev.openhands.ohe.release']).toBe('0.3.0')
    expect(config.labels['org.opencontainers.image.base.name']).toBe(`${base}:1.24.0-python`)
    // Built on 1.24.0 for real: the pushed image starts with that base's layers, not with 1.22.0's.
    const layers = async (name: string, ref: string) => ((await registry.getManifest(name, ref))?.json.layers ?? []).map(layer => layer.digest)
    const onBase = await layers(BASE_REPOSITORY, '1.24.0-python')
    expect(onBase).not.toEqual(await layers(BASE_REPOSITORY, '1.22.0-python'))
    expect((await layers(nameOf(repository), tag)).slice(0, onBase.length)).toEqual(onBase)
  })

  it('the scheduled job on latest: rebuilds only when the resolved agent-server version or the commit moved', async () => {
    // Its own API, whose history grows between runs as OpenHands-Cloud's does.
    const releases: Record<string, Record<string, string>> = { '0.2.0': files('1.23.0-python'), '0.2.1': files('1.23.0-python') }
    const growing = await startStandInGitHub({ repository: 'OpenHands/OpenHands-Cloud', releases })
    try {
      const repository = uniqueRepository(mustBeUp(stack), 'i10-ohe-latest')
      const workspace = workspaceWith(argDockerfile)
      const scheduled = (sha?: string) =>
        runAction(inputs(repository, { 'ohe-release': 'latest', 'skip-unchanged': 'true' }), workspace, {
          GITHUB_API_URL: growing.url,
          ...(sha ? { GITHUB_SHA: sha } : {})
        })

      const first = await scheduled()
      expect(errorsOf(first)).toEqual([])
      expect(first.outputs).toMatchObject({ 'ohe-release': '0.2.1', 'agent-server-version': '1.23.0', pushed: 'true' })
      pushed.push([nameOf(repository), first.outputs.tag ?? ''])

      // A new OHE release that ships the same agent-server version: nothing to rebuild.
      releases['0.2.2'] = files('1.23.0-python')
      const same = await scheduled()
      expect(errorsOf(same)).toEqual([])
      expect(same.outputs).toMatchObject({
        'ohe-release': '0.2.2',
        'agent-server-version': '1.23.0',
        pushed: 'false',
        tag: first.outputs.tag,
        digest: first.outputs.digest
      })

      // A new OHE release on a new agent-server version: rebuilt on it, under a new tag.
      releases['0.3.0'] = files('1.24.0-python')
      const moved = await scheduled()
      expect(errorsOf(moved)).toEqual([])
      expect(moved.outputs).toMatchObject({ 'ohe-release': '0.3.0', 'agent-server-version': '1.24.0', pushed: 'true', 'base-image': `${base}:1.24.0-python` })
      expect(moved.outputs.tag).toMatch(/^1\.24\.0-[0-9a-f]{7}$/)
      pushed.push([nameOf(repository), moved.outputs.tag ?? ''])

      // A new commit on the same release: rebuilt too.
      const commit = randomBytes(20).toString('hex')
      const rebuilt = await scheduled(commit)
      expect(rebuilt.outputs).toMatchObject({ 'ohe-release': '0.3.0', pushed: 'true', tag: `1.24.0-${commit.slice(0, 7)}` })
      pushed.push([nameOf(repository), rebuilt.outputs.tag ?? ''])
    } finally {
      await growing.close()
    }
  })

  it('OHE 0.2.1 through a release-map file: a Dockerfile pinned FROM 1.22.0-python fails the check, nothing is pushed', async () => {
    const repository = uniqueRepository(mustBeUp(stack), 'i10-ohe-map')
    const map =
      Object.entries(SHIPS)
        .map(([release, tag]) => `"${release}": ${tag}`)
        .join('\n') + '\n'
    const workspace = workspaceWith(`FROM ${base}:1.22.0-python\nRUN echo stale\n`, map)
    // No API at all: the map file replaces it.
    const run = await runAction(inputs(repository, { 'ohe-release': '0.2.1', 'release-map': 'release-map.yaml' }), workspace, {
      GITHUB_API_URL: 'http://127.0.0.1:9'
    })
    expect(run.exitCode).toBe(1)
    expect(run.outputs).toMatchObject({ 'ohe-release': '0.2.1', 'agent-server-version': '1.23.0', pushed: 'false' })
    const fromLine = run.annotations.find(annotation => annotation.level === 'error' && annotation.properties.line === '1')
    expect(fromLine?.message).toContain('Base image tag 1.22.0-python does not match agent-server 1.23.0')
    expect(run.summary).toContain('- Fits: agent-server 1.23.0: OHE 0.2.0 to 0.2.1')
    expect(await new RegistryClient(mustBeUp(stack)).listTags(nameOf(repository))).toEqual([])
  })

  it('the API rate limit: one error with the reset time, exit 1, nothing built or pushed', async () => {
    const repository = uniqueRepository(mustBeUp(stack), 'i10-ohe-limited')
    const run = await runAction(inputs(repository, { 'ohe-release': '0.3.0' }), workspaceWith(argDockerfile), { GITHUB_API_URL: limited.url })
    expect(run.exitCode).toBe(1)
    const errors = errorsOf(run)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/rate limit reached at .* with github-token \(HTTP 403; it resets at .+\): wait for the reset/)
    expect(run.log).not.toContain('buildx')
    expect(run.outputs.pushed).toBe('false')
    expect(await new RegistryClient(mustBeUp(stack)).listTags(nameOf(repository))).toEqual([])
  })
})
