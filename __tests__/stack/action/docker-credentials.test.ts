/**
 * The bundled action with docker's own login and no registry-* inputs, as after a docker/login-action step: buildx
 * pushes with it, and so do the action's own registry reads (the base digest, skip-unchanged,
 * the contract verification after the push). Against the real stack (scripts/e2e-stack.sh); runs in CI always,
 * skipped elsewhere when the stack is down. Needs a fresh `npm run bundle`.
 */
import { jest } from '@jest/globals'
import { Buffer } from 'node:buffer'
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { runAction } from '../../support/action-runner.js'
import { BASE_REPOSITORY, REGISTRY, RegistryClient, e2eEnabled, mustBeUp, stackState } from '../../support/stack.js'
import { scratchDir } from '../../support/scratch.js'

const stack = await stackState()
const describeE2E = e2eEnabled(stack) ? describe : describe.skip
jest.setTimeout(180_000)

const base = `${REGISTRY}/${BASE_REPOSITORY}`

describeE2E("the bundled action with docker's login and no registry-* inputs", () => {
  it('labels the base digest, reads skip-unchanged, and verifies the contract, without warnings', async () => {
    const state = mustBeUp(stack)
    const dockerConfig = scratchDir('e2e-docker-login-')
    const auth = Buffer.from(`${state.username}:${state.password}`).toString('base64')
    writeFileSync(path.join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [state.registry]: { auth } } }), { mode: 0o600 })

    const workspace = scratchDir('e2e-docker-login-ws-')
    mkdirSync(path.join(workspace, 'image'))
    writeFileSync(path.join(workspace, 'image', 'Dockerfile'), `FROM ${base}:1.24.0-python\nUSER root\nRUN echo baked > /opt-baked.txt\nUSER openhands\n`)
    const repository = `${REGISTRY}/e2e/docker-login-${randomBytes(4).toString('hex')}`

    const run = await runAction({ 'agent-server-version': '1.24.0', 'base-image': base, context: 'image', repository, 'skip-unchanged': 'true' }, workspace, {
      DOCKER_CONFIG: dockerConfig
    })
    const messages = run.annotations.map(a => `${a.level}: ${a.message}`)
    expect(messages.filter(m => !m.startsWith('notice'))).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(run.log).not.toContain('could not be verified')
    expect(run.log).not.toContain('Could not read the digest of the base')
    expect(run.log).toContain('no image has that tag yet')
    expect(run.outputs).toMatchObject({ pushed: 'true', 'ohe-release': '', 'agent-server-version': '1.24.0' })
    expect(run.summary).toContain('### Image contract (verified in the registry)')

    const registry = new RegistryClient(state)
    const name = repository.slice(REGISTRY.length + 1)
    const config = await registry.getConfig(name, run.outputs.tag ?? '')
    expect(config.labels['org.opencontainers.image.base.digest']).toBe((await registry.getManifest(BASE_REPOSITORY, '1.24.0-python'))?.digest)
    expect(run.log).not.toContain(state.password)
    expect(run.summary).not.toContain(state.password)
  })
})
