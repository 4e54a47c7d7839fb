/**
 * The bundled action pushing through the fault-injecting proxy whose registry answers every manifest read with 500:
 * docker push succeeds, the action's read-back and its contract check cannot read the image back, and the step
 * still passes with the outputs of the image docker push reported, and warnings that say why.
 */
import { jest } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { runAction } from '../../support/action-runner.js'
import { scratchDir } from '../../support/scratch.js'
import { BASE_REPOSITORY, REGISTRY, RegistryClient, e2eEnabled, mustBeUp, stackState } from '../../support/stack.js'
import { startFaultProxy } from '../fault-proxy.js'

const stack = await stackState()
const describeE2E = e2eEnabled(stack) ? describe : describe.skip
jest.setTimeout(180_000)

describeE2E('a registry that fails the read-back after a good push', () => {
  it('passes, sets the outputs from the push, and warns that the read-back could not be done', async () => {
    const state = mustBeUp(stack)
    // docker push never GETs a manifest: only the action's reads meet the fault.
    const proxy = await startFaultProxy(state.registry, [{ method: 'GET', path: /\/manifests\//, fault: { kind: 'status', status: 500 } }])
    try {
      const workspace = scratchDir('e2e-read-back-')
      mkdirSync(path.join(workspace, 'image'))
      writeFileSync(
        path.join(workspace, 'image', 'Dockerfile'),
        `FROM ${REGISTRY}/${BASE_REPOSITORY}:1.23.0-python\nRUN echo ${randomBytes(4).toString('hex')} > /tmp/x\n`
      )
      const name = `e2e/read-back-${randomBytes(4).toString('hex')}`
      const repository = `${proxy.registry}/${name}`
      const run = await runAction(
        {
          'agent-server-version': '1.23.0',
          'base-image': `${REGISTRY}/${BASE_REPOSITORY}`,
          context: 'image',
          repository,
          'registry-username': state.username,
          'registry-password': state.password
        },
        workspace
      )
      expect(run.annotations.filter(a => a.level === 'error')).toEqual([])
      expect(run.exitCode).toBe(0)
      const tag = run.outputs.tag ?? ''
      const inRegistry = await new RegistryClient(state).getManifest(name, tag)
      expect(inRegistry?.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
      expect(run.outputs).toMatchObject({ pushed: 'true', repository, tag, image: `${repository}:${tag}`, digest: inRegistry?.digest })
      const warnings = run.annotations.filter(a => a.level === 'warning').map(a => a.message)
      expect(warnings).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^Pushed ${repository}:${tag} \\(${inRegistry?.digest}, as docker push reported it\\), but the read-back from registry ${proxy.registry} could not be done \\(.*500.*\\)`
          )
        )
      )
      expect(warnings).toContainEqual(expect.stringMatching(/^The image contract could not be verified in the registry: /))
      expect(proxy.log.some(line => line.startsWith('GET') && line.endsWith('-> 500'))).toBe(true)
    } finally {
      await proxy.close()
    }
  })
})
