/**
 * The verify phase reads only what the build added, on every engine of the stack (Docker 20.10's classic store and
 * Docker 26's containerd image store, as <state>/engines lists them): the engine pushes the loaded image to the
 * registry the action runs on 127.0.0.1, the base's layers are never sent, the custom layer is scanned, and the
 * image pushed afterwards has the verified diff_ids. A secret in an added layer blocks the push on each engine.
 */
import { jest } from '@jest/globals'
import { rmSync, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { runAction, type ActionRun } from '../support/action-runner.js'
import { uniqueRepository } from '../support/docker-push.js'
import { checksummed } from '../secrets/fixtures.js'
import { BASE_REPOSITORY, REGISTRY, RegistryClient, e2eEnabled, mustBeUp, stackEngines, stackState } from '../support/stack.js'
import { scratchDir } from '../support/scratch.js'

const stack = await stackState()
const describeE2E = e2eEnabled(stack) ? describe : describe.skip
jest.setTimeout(300_000)

const base = `${REGISTRY}/${BASE_REPOSITORY}`
const workspaces: string[] = []

function workspaceWith(dockerfile: string): string {
  const workspace = scratchDir('i16-loopback-')
  workspaces.push(workspace)
  mkdirSync(path.join(workspace, 'image'))
  writeFileSync(path.join(workspace, 'image', 'Dockerfile'), dockerfile)
  return workspace
}

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

/** The post step on the same engine (it removes what the verify phase left there). */
function postStep(main: ActionRun, workspace: string, env: Record<string, string>): Promise<ActionRun> {
  const state = Object.fromEntries(Object.entries(main.state).map(([name, value]) => [`STATE_${name}`, value]))
  return runAction({}, workspace, { ...state, DOCKER_CONFIG: main.dockerConfig, ...env })
}

const nameOf = (repository: string): string => repository.slice(REGISTRY.length + 1)
const errors = (run: ActionRun): string[] => run.annotations.filter(a => a.level === 'error').map(a => a.message)

describeE2E.each(stackEngines())('verify through the loopback registry on $name', engine => {
  const env = { DOCKER_HOST: engine.dockerHost }
  afterAll(() => {
    for (const workspace of workspaces.splice(0)) rmSync(workspace, { recursive: true, force: true })
  })

  it('reads only the added layer, then pushes an image whose diff_ids are the verified ones', async () => {
    const repository = uniqueRepository(mustBeUp(stack), 'i16-loopback')
    // Over a megabyte of text: more than one batch, so the bundled action starts its scan workers. The files
    // copied from the context were scanned there and are only hashed in the layer.
    const workspace = workspaceWith(
      `FROM ${base}:1.23.0-python\nUSER root\nCOPY app/ /opt/app/\n` +
        `RUN echo baked-${Date.now()} > /opt-baked.txt && yes 'a line of text' | head -n 200000 > /opt-text.txt\nUSER openhands\n`
    )
    mkdirSync(path.join(workspace, 'image', 'app'))
    writeFileSync(path.join(workspace, 'image', 'app', 'main.py'), 'print("hello")\n')
    writeFileSync(path.join(workspace, 'image', 'app', 'README.md'), 'The app.\n'.repeat(1000))
    const run = await runAction(inputs(repository), workspace, env)
    if (process.env.I16_DEBUG) console.log(run.log, run.summary)
    expect(errors(run)).toEqual([])
    expect(run.exitCode).toBe(0)
    // The bundled action scans the files on its worker threads (dist/scan-worker.js).
    expect(run.log).toMatch(
      /Scanned 2 custom layer\(s\) \(\d+ text file\(s\), [\d.]+ MB; 2 of them, [\d.]+ kB, found clean in the build context and only hashed\) .* \(the secret engine on [1-4] worker thread\(s\)\), read from the blobs the engine pushed to the loopback registry \(begun as soon as the engine held the image, before the build ended\); skipped 1 base layer\(s\)/
    )
    expect(run.summary).toMatch(/\(read from the loopback registry\); 1 base layer\(s\) skipped/)
    expect(run.log).toMatch(/the registry's layers are the verified ones \(3 diff_ids match\)/)
    // Pushed by the action from the blobs the engine sent to the loopback registry: the base blob mounted from its
    // repository, the custom layer and config (and, on a containerd store, the provenance) uploaded as scanned.
    expect(run.log).toMatch(
      /Uploaded the verified image \(sha256:[0-9a-f]{64}\) in [\d.]+ s: \d blob\(s\) sent \([^)]*, as scanned\), 0 already in the registry, 1 from the base's repository\./
    )
    const manifest = await new RegistryClient(mustBeUp(stack)).getManifest(nameOf(repository), run.outputs.tag ?? '')
    expect(run.outputs.digest).toBe(manifest?.digest)
    expect(run.outputs.pushed).toBe('true')
    await postStep(run, workspace, env)
  })

  it('blocks the push when an added layer holds a secret', async () => {
    const token = checksummed('npm_')
    const repository = uniqueRepository(mustBeUp(stack), 'i16-loopback-secret')
    // Through a secret mount: neither the context nor the history holds the token, only the layer's file does.
    const workspace = workspaceWith(
      `FROM ${base}:1.23.0-python\nUSER root\n` +
        `RUN --mount=type=secret,id=npm echo "//registry.npmjs.org/:_authToken=$(cat /run/secrets/npm)" > /root/.npmrc\nUSER openhands\n`
    )
    const tokenFile = path.join(scratchDir('i16-token-'), 'npm')
    writeFileSync(tokenFile, token, { mode: 0o600 })
    const run = await runAction(inputs(repository, { 'secret-files': `npm=${tokenFile}` }), workspace, env)
    rmSync(path.dirname(tokenFile), { recursive: true, force: true })
    expect(run.log).toMatch(/read from the blobs the engine pushed to the loopback registry/)
    expect(errors(run)).toContainEqual(expect.stringMatching(/in file \/root\/\.npmrc, layer 2 \(made by RUN/))
    expect(run.log.replace(/^::add-mask::.*$/gm, '') + run.summary).not.toContain(token)
    expect(run.exitCode).toBe(1)
    expect(run.outputs.pushed).toBe('false')
    expect(await new RegistryClient(mustBeUp(stack)).listTags(nameOf(repository))).toEqual([])
    await postStep(run, workspace, env)
  })
})
