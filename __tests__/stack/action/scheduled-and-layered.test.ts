/**
 * The scheduled rebuild and layered images, through the bundled action on the real stack: `latest` read from a
 * release-map file, the release passed to an ARG-held base tag, hotfix images built FROM a published custom image, and the
 * contract checked in the registry after the push. Runs in CI always; skipped elsewhere when the stack is down.
 */
import { jest } from '@jest/globals'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { runAction } from '../../support/action-runner.js'
import { dockerPusher, uniqueRepository } from '../../support/docker-push.js'
import { BASE_REPOSITORY, REGISTRY, RegistryClient, e2eEnabled, mustBeUp, stackState } from '../../support/stack.js'
import { scratchDir } from '../../support/scratch.js'

const stack = await stackState()
const describeE2E = e2eEnabled(stack) ? describe : describe.skip
jest.setTimeout(180_000)

const base = `${REGISTRY}/${BASE_REPOSITORY}`

function workspaceWith(dockerfile: string): string {
  const workspace = scratchDir('e2e-scheduled-')
  mkdirSync(path.join(workspace, 'image'))
  writeFileSync(path.join(workspace, 'image', 'Dockerfile'), dockerfile)
  return workspace
}

function inputs(repository: string, extra: Record<string, string>): Record<string, string> {
  const { username, password } = mustBeUp(stack)
  return { 'base-image': base, context: 'image', repository, 'registry-username': username, 'registry-password': password, ...extra }
}

const nameOf = (repository: string) => repository.slice(REGISTRY.length + 1)

describeE2E('scheduled rebuild and layered images', () => {
  it('resolves the latest OHE release to 1.24.0 and builds the ARG-based Dockerfile on 1.24.0-python', async () => {
    const repository = uniqueRepository(mustBeUp(stack), 'scheduled')
    const dockerfile = `ARG AGENT_SERVER_VERSION=1.23.0\nFROM ${base}:\${AGENT_SERVER_VERSION}-python\nRUN echo rebuilt\n`
    const workspace = workspaceWith(dockerfile)
    writeFileSync(path.join(workspace, 'release-map.yaml'), '"0.1.0": 1.22.0-python\n"0.2.0": 1.23.0-python\n"0.3.0": 1.24.0-python\n')
    const run = await runAction(inputs(repository, { 'ohe-release': 'latest', 'release-map': 'release-map.yaml' }), workspace)
    expect(run.annotations.filter(a => a.level === 'error')).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({ 'ohe-release': '0.3.0', 'agent-server-version': '1.24.0', 'base-image': `${base}:1.24.0-python`, pushed: 'true' })
    // The logged command line never shows build-arg values; the layers below prove the release reached the build.
    expect(run.log).toContain('--build-arg AGENT_SERVER_VERSION=***')
    // Built on 1.24.0 for real: the pushed image starts with that base's layers, not with 1.23.0's.
    const registry = new RegistryClient(mustBeUp(stack))
    const layers = async (name: string, ref: string) => ((await registry.getManifest(name, ref))?.json.layers ?? []).map(layer => layer.digest)
    const pushed = await layers(nameOf(repository), run.outputs.tag ?? '')
    const [newBase, oldBase] = [await layers(BASE_REPOSITORY, '1.24.0-python'), await layers(BASE_REPOSITORY, '1.23.0-python')]
    expect(newBase).not.toEqual(oldBase)
    expect(pushed.slice(0, newBase.length)).toEqual(newBase)
    expect(run.outputs.tag).toMatch(/^1\.24\.0-[0-9a-f]{7}$/)
  })

  it('checks a hotfix image through the custom image it is built on', async () => {
    const custom = uniqueRepository(mustBeUp(stack), 'custom')
    const first = await runAction(inputs(custom, { 'agent-server-version': '1.23.0' }), workspaceWith(`FROM ${base}:1.23.0-python\nRUN echo custom\n`))
    expect(first.exitCode).toBe(0)
    const hotfix = `FROM ${first.outputs.image}\nRUN echo hotfix\n`

    const onSameRelease = await runAction(inputs(uniqueRepository(mustBeUp(stack), 'hotfix'), { 'agent-server-version': '1.23.0' }), workspaceWith(hotfix))
    expect(onSameRelease.annotations.filter(a => a.level === 'error')).toEqual([])
    expect(onSameRelease.exitCode).toBe(0)
    expect(onSameRelease.outputs['base-image']).toBe(`${base}:1.23.0-python`)
    expect(onSameRelease.summary).toContain(`- Layered on: \`${first.outputs.image}\``)

    const nextRelease = uniqueRepository(mustBeUp(stack), 'hotfix')
    const onNextRelease = await runAction(inputs(nextRelease, { 'agent-server-version': '1.24.0' }), workspaceWith(hotfix))
    expect(onNextRelease.exitCode).toBe(1)
    const error = onNextRelease.annotations.find(a => a.properties.title === 'base-image')
    expect(error?.properties).toMatchObject({ file: 'image/Dockerfile', line: '1' })
    expect(error?.message).toContain(`is built on ${base}:1.23.0-python, but the target agent-server 1.24.0 needs 1.24.0-python`)
    expect(await new RegistryClient(mustBeUp(stack)).listTags(nameOf(nextRelease))).toEqual([])
  })

  it('fails the contract check when a layered base replaced the entrypoint', async () => {
    const pusher = await dockerPusher(mustBeUp(stack))
    try {
      // A published custom image that replaced the entrypoint, labelled as built on the agent-server: its own
      // Dockerfile is not in this repository, so only the pushed config shows the break.
      const broken = `${uniqueRepository(mustBeUp(stack), 'broken-layer')}:1`
      await pusher.push(broken, `FROM ${base}:1.23.0-python\nENTRYPOINT ["/bin/sh"]\n`, {
        labels: { 'org.opencontainers.image.base.name': `${base}:1.23.0-python` }
      })
      const run = await runAction(
        inputs(uniqueRepository(mustBeUp(stack), 'hotfix'), { 'agent-server-version': '1.23.0' }),
        workspaceWith(`FROM ${broken}\nRUN echo hotfix\n`)
      )
      expect(run.exitCode).toBe(1)
      const contract = run.annotations.filter(a => a.properties.title === 'image-contract')
      expect(contract).toHaveLength(1)
      expect(contract[0]?.message).toContain(`The pushed image's Entrypoint is ["/bin/sh"]`)
      expect(run.annotations.at(-1)?.message).toMatch(
        /was pushed but breaks the agent-server contract \(1 error\(s\), see the annotations\): do not use it in OHE\.$/
      )
      expect(run.summary).toContain('| ❌ | Entrypoint |')
    } finally {
      await pusher.close()
    }
  })
})
