/**
 * docker.ts against the real Docker engines and registry of the e2e stack (scripts/e2e-stack.sh up), each engine chosen
 * by DOCKER_HOST. In CI these run and fail when the stack is down; elsewhere they are skipped when it is not up.
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { buildxAvailable, dockerAvailable, dockerLogin, dockerLogout, runDocker } from '../../../src/buildx/docker.js'
import { explainBuildFailure } from '../../../src/buildx/hints.js'
import { e2eEnabled, mustBeUp, stackEngines, stackState, type StackState } from '../../support/stack.js'
import { captureStdout, scopedEnv, tempDir } from '../../buildx/support/capture.js'

const stack = await stackState()
const describeStack = e2eEnabled(stack) ? describe : describe.skip
/** Nothing listens here: what a stopped registry looks like to docker, without stopping the shared one. */
const UNREACHABLE = '127.0.0.1:5999'

const config = tempDir('docker-test-config-')
let restoreEnv: () => void
beforeAll(() => {
  restoreEnv = scopedEnv({ DOCKER_CONFIG: config.dir, GITHUB_STATE: undefined })
})
afterAll(() => {
  restoreEnv()
  config.remove()
})

const auths = (): Record<string, unknown> => {
  const file = path.join(config.dir, 'config.json')
  if (!existsSync(file)) return {}
  return (JSON.parse(readFileSync(file, 'utf8')) as { auths?: Record<string, unknown> }).auths ?? {}
}

describeStack.each(stackEngines())('docker.ts on $name', engine => {
  let state: StackState
  let restoreHost: () => void
  beforeAll(() => {
    state = mustBeUp(stack)
    restoreHost = scopedEnv({ DOCKER_HOST: engine.dockerHost })
  })
  afterAll(() => restoreHost())

  test('the probes find docker and buildx', async () => {
    expect(await dockerAvailable()).toBe(true)
    expect(await buildxAvailable()).toBe(true)
  })

  test('runDocker streams output into the log, keeps stdout and the stderr lines, and returns the exit code', async () => {
    const { log, result } = await captureStdout(() => runDocker(['buildx', 'version']))
    expect(result?.exitCode).toBe(0)
    expect(result?.stdout).toMatch(/github\.com\/docker\/buildx/)
    // @actions/exec echoes the command, then docker's own output follows in the log.
    expect(log).toMatch(/\[command\]\S*docker buildx version/)
    expect(log).toMatch(/github\.com\/docker\/buildx/)

    const failed = await runDocker(['buildx', 'build', '--builder', 'no-such-builder', '.'], { silent: true })
    expect(failed.exitCode).not.toBe(0)
    expect(failed.stderr).toContain('ERROR: no builder "no-such-builder" found')
  })

  test('login with the right password: via stdin only, never in the log; logout removes it', async () => {
    const { log, result } = await captureStdout(() => dockerLogin(state.registry, state.username, state.password))
    expect(result?.exitCode).toBe(0)
    expect(auths()).toHaveProperty([state.registry])
    expect(log).toContain(`login ${state.registry} --username ${state.username} --password-stdin`)
    expect(log).not.toContain(state.password)
    expect(result?.stderr.join('\n')).not.toContain(state.password)

    const out = await runDocker(['logout', state.registry], { silent: true })
    expect(out.exitCode).toBe(0)
    expect(auths()).not.toHaveProperty([state.registry])
  })

  test('dockerLogout logs out of a registry logged in to', async () => {
    expect((await dockerLogin(state.registry, state.username, state.password)).exitCode).toBe(0)
    const run = await dockerLogout(state.registry)
    expect(run.exitCode).toBe(0)
    expect(auths()).not.toHaveProperty([state.registry])
  })

  test('login with a wrong password: 401 from the registry, explained as a credentials problem', async () => {
    const run = await dockerLogin(state.registry, state.username, `${state.password}-wrong`)
    expect(run.exitCode).not.toBe(0)
    const message = explainBuildFailure(run.stderr)
    expect(message).toMatch(/401 Unauthorized/)
    expect(message).toContain('Hint: The registry refused the credentials')
    expect(message).not.toContain(state.password)
    expect(auths()).not.toHaveProperty([state.registry])
  })

  test('login to a registry that is not there: connection refused, explained as unreachable', async () => {
    const run = await dockerLogin(UNREACHABLE, state.username, 'x')
    expect(run.exitCode).not.toBe(0)
    const message = explainBuildFailure(run.stderr)
    expect(message).toMatch(/connection refused/)
    expect(message).toContain('Hint: The registry is unreachable')
  })
})
