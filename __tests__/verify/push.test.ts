/**
 * pushVerified's read-back after a good `docker push` (a fake docker that prints docker push's digest line): a
 * registry that cannot be read (HTTP 500 on every request) leaves the push standing with docker push's digest and a
 * warning; a registry that answers the tag does not exist still fails, as that contradicts the push.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { DockerCommand } from '../../src/buildx/docker.js'
import { RegistryError } from '../../src/registry/errors.js'
import { runRegistries } from '../../src/registry/for-inputs.js'
import { pushVerified } from '../../src/verify/push.js'
import { captureStdout } from '../buildx/support/capture.js'
import { testInputs } from '../support/inputs.js'
import { startMemoryRegistry, type MemoryRegistry } from '../support/memory-registry.js'

const DIGEST = `sha256:${'4e'.repeat(32)}`
const DIFF_IDS = [`sha256:${'0a'.repeat(32)}`]

/** docker tag and docker push succeed; push prints its digest line as docker does. */
const goodPush: DockerCommand = async args => ({
  exitCode: 0,
  stderr: [],
  stdout:
    args[0] === 'push' ? `The push refers to repository [x]\n5f70bf18a086: Pushed\n${String(args[1]).split(':').at(-1)}: digest: ${DIGEST} size: 527\n` : ''
})

let failing: Server
let failingHost = ''
let memory: MemoryRegistry
beforeAll(async () => {
  failing = createServer((_request, response) => {
    response.writeHead(500, { 'content-type': 'application/json' })
    response.end('{"errors":[{"code":"UNKNOWN","message":"injected"}]}')
  })
  await new Promise<void>(resolve => failing.listen(0, '127.0.0.1', resolve))
  failingHost = `127.0.0.1:${(failing.address() as AddressInfo).port}`
  memory = await startMemoryRegistry()
})
afterAll(async () => {
  await new Promise(resolve => failing.close(resolve))
  await memory.close()
})
const inputsFor = (host: string) => testInputs('/w', { repository: `${host}/acme/sandbox` })

test('a read-back answered 500 after a good push: docker push’s digest, and a warning saying why', async () => {
  const ref = `${failingHost}/acme/sandbox:t1`
  const out = await captureStdout(() => pushVerified('local:x', [ref], DIFF_IDS, inputsFor(failingHost), runRegistries(inputsFor(failingHost)), goodPush, 1))
  expect(out.error).toBeUndefined()
  expect(out.result).toMatchObject({ digest: DIGEST, layerSizes: [] })
  const warning = out.log.split('\n').find(line => line.startsWith('::warning::')) ?? ''
  expect(warning).toMatch(
    new RegExp(
      `^::warning::Pushed ${ref} \\(${DIGEST}, as docker push reported it\\), but the read-back from registry ${failingHost} could not be done \\(.*500.*\\)`
    )
  )
})

test('a registry that says the pushed tag does not exist: that contradicts the push, and fails', async () => {
  const ref = `${memory.host}/acme/sandbox:never-there`
  const out = await captureStdout(() => pushVerified('local:x', [ref], DIFF_IDS, inputsFor(memory.host), runRegistries(inputsFor(memory.host)), goodPush, 1))
  expect(out.error).toBeInstanceOf(RegistryError)
  expect((out.error as RegistryError).kind).toBe('not-found')
})

test('without a digest from docker push, nothing proves the push: a failed read-back fails', async () => {
  const silentPush: DockerCommand = async () => ({ exitCode: 0, stderr: [], stdout: '' })
  const out = await captureStdout(() =>
    pushVerified('local:x', [`${failingHost}/acme/sandbox:t2`], DIFF_IDS, inputsFor(failingHost), runRegistries(inputsFor(failingHost)), silentPush, 1)
  )
  expect(out.error).toBeInstanceOf(RegistryError)
  expect((out.error as RegistryError).kind).toBe('server')
})
