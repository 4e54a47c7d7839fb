/**
 * The KOTS ConfigValues file after a real push to the stack's registry (127.0.0.1:5000, a private registry with a
 * port): the `config-values` output names a file under RUNNER_TEMP whose document selects exactly the pushed image,
 * without the registry credentials, and the summary shows the command that applies it.
 */
import { jest } from '@jest/globals'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { parse } from 'yaml'
import { runAction } from '../../support/action-runner.js'
import { scratchDir } from '../../support/scratch.js'
import { BASE_REPOSITORY, REGISTRY, RegistryClient, e2eEnabled, mustBeUp, stackState } from '../../support/stack.js'

const stack = await stackState()
const describeE2E = e2eEnabled(stack) ? describe : describe.skip
jest.setTimeout(180_000)

describeE2E('the KOTS ConfigValues file after a real push', () => {
  it('is written under RUNNER_TEMP, names the pushed repository, tag and registry, and holds no credentials', async () => {
    const { username, password } = mustBeUp(stack)
    const workspace = scratchDir('e2e-kots-')
    mkdirSync(path.join(workspace, 'image'))
    writeFileSync(path.join(workspace, 'image', 'Dockerfile'), `FROM ${REGISTRY}/${BASE_REPOSITORY}:1.23.0-python\nRUN echo kots > /tmp/kots.txt\n`)
    const repository = `${REGISTRY}/e2e/kots-${randomBytes(4).toString('hex')}`
    const run = await runAction(
      {
        'agent-server-version': '1.23.0',
        'base-image': `${REGISTRY}/${BASE_REPOSITORY}`,
        context: 'image',
        repository,
        'registry-username': username,
        'registry-password': password,
        'kots-app': 'openhands',
        'kots-namespace': 'ohe-admin'
      },
      workspace
    )
    expect(run.annotations.filter(a => a.level === 'error')).toEqual([])
    expect(run.exitCode).toBe(0)
    const tag = run.outputs.tag ?? ''
    // The image really is in the registry, at the digest the outputs give.
    const manifest = await new RegistryClient(mustBeUp(stack)).getManifest(repository.slice(REGISTRY.length + 1), tag)
    expect(run.outputs.digest).toBe(manifest?.digest)

    const runnerTemp = path.dirname(run.dockerConfig)
    const file = path.join(runnerTemp, `ohe-config-values-${tag}.yaml`)
    expect(run.outputs['config-values']).toBe(file)
    const text = readFileSync(file, 'utf8')
    expect(parse(text)).toEqual({
      apiVersion: 'kots.io/v1beta1',
      kind: 'ConfigValues',
      spec: {
        values: {
          custom_sandbox_image_enabled: { value: '1' },
          custom_sandbox_image_repository: { value: repository },
          custom_sandbox_image_tag: { value: tag },
          custom_sandbox_image_registry_server: { value: REGISTRY }
        }
      }
    })
    expect(text).not.toMatch(/username|password/)
    expect(text).not.toContain(password)
    expect(run.summary).toContain(
      `\`\`\`sh\nkubectl kots set config openhands --config-file ohe-config-values-${tag}.yaml --merge --deploy -n ohe-admin\n\`\`\``
    )
    expect(run.summary.indexOf('kubectl kots set config')).toBeLessThan(run.summary.indexOf('### Checks'))
  })
})
