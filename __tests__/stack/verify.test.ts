/**
 * The verify phase on the real stack (scripts/e2e-stack.sh: dockerd, buildx, the htpasswd registry and the stand-in
 * agent-server bases whose server answers /alive, /health and /server_info on --port): the bundled action builds
 * the image into the engine, scans its layers and config, boots it as OHE does, and pushes only what passed.
 * Every failing case must push nothing. Each case runs on every engine of the stack (Docker 20.10, Docker 26 with the
 * containerd image store: three `docker save` layouts between them). Runs in CI always; skipped elsewhere when the
 * stack is down.
 */
import { jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { runAction, runPostStep, type ActionRun } from '../support/action-runner.js'
import { uniqueRepository } from '../support/docker-push.js'
import { checksummed, pemKey } from '../secrets/fixtures.js'
import { BASE_REPOSITORY, REGISTRY, RegistryClient, e2eEnabled, engineEnv, mustBeUp, stackEngines, stackState, type StackEngine } from '../support/stack.js'
import { scratchDir } from '../support/scratch.js'

const stack = await stackState()
const describeE2E = e2eEnabled(stack) ? describe : describe.skip
jest.setTimeout(300_000)

const base = `${REGISTRY}/${BASE_REPOSITORY}`
const workspaces: string[] = []

function workspaceWith(dockerfile: string, files: Record<string, string> = {}): string {
  const workspace = scratchDir('i11-verify-')
  workspaces.push(workspace)
  mkdirSync(path.join(workspace, 'image'))
  writeFileSync(path.join(workspace, 'image', 'Dockerfile'), dockerfile)
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(workspace, 'image', name), text)
  return workspace
}

/** Where packageImage() installs its package. */
const sdk = '/app/node_modules/example-sdk'

/**
 * A workspace whose image installs `example-sdk@2.4.1` under /app/node_modules with `token` in one of its files. The
 * token reaches the layer through a secret mount, so neither the context nor the history holds it.
 */
function packageImage(token: string): { workspace: string; tokenFile: string } {
  const workspace = workspaceWith(
    `FROM ${base}:1.23.0-python\nUSER root\n` +
      `RUN --mount=type=secret,id=sdk_example mkdir -p ${sdk}/lib && echo '{"name":"example-sdk","version":"2.4.1"}' > ${sdk}/package.json && ` +
      `echo "module.exports = { example: '$(cat /run/secrets/sdk_example)' }" > ${sdk}/lib/example.js\nUSER openhands\n`
  )
  const tokenFile = path.join(scratchDir('i13-token-'), 'sdk_example')
  writeFileSync(tokenFile, token, { mode: 0o600 })
  return { workspace, tokenFile }
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

const nameOf = (repository: string): string => repository.slice(REGISTRY.length + 1)
interface SarifResult {
  message: { text: string }
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }>
  partialFingerprints: Record<string, string>
}

/** What a reader of the run sees: the log without the runner's ::add-mask:: commands (the runner consumes those), and the summary. */
const shown = (run: ActionRun): string => run.log.replace(/^::add-mask::.*$/gm, '') + run.summary
const errors = (run: ActionRun): string[] => run.annotations.filter(a => a.level === 'error').map(a => a.message)

/** The action run, its post step, and the proof that nothing reached the registry and no container is left. */
async function expectNothingPushed(run: ActionRun, repository: string, workspace: string, engine: StackEngine): Promise<void> {
  expect(run.exitCode).toBe(1)
  expect(run.outputs.pushed).toBe('false')
  expect(run.outputs.digest).toBeUndefined()
  expect(await new RegistryClient(mustBeUp(stack)).listTags(nameOf(repository))).toEqual([])
  await runPostStep(run, workspace)
  expect(leftovers(engine, run)).toEqual([])
}

/**
 * Issue 21: the same Dockerfile must be annotated word for word alike on every engine. One token for all engines
 * (the fingerprint hashes it); each engine's annotations, digests and repository names left out, by case.
 */
const issue21Token = checksummed('ghp_')
const issue21Seen = new Map<string, Map<string, string[]>>()
function recordAnnotations(kind: string, engine: StackEngine, run: ActionRun, repository: string): void {
  const shown = run.annotations
    .filter(a => a.level !== 'notice')
    .map(a =>
      `${a.level} ${a.properties.file ?? ''}:${a.properties.line ?? ''} ${a.message}`
        .split(repository)
        .join('<repository>')
        .replace(/sha256:[0-9a-f]{64}/g, 'sha256:…')
    )
  const byEngine = issue21Seen.get(kind) ?? new Map<string, string[]>()
  byEngine.set(engine.name, shown)
  issue21Seen.set(kind, byEngine)
}

/** Containers this run's verify phase made that are still there (other runs on a shared engine have their own). */
function leftovers(engine: StackEngine, run: Pick<ActionRun, 'savedValues'>): string[] {
  const made = new Set((run.savedValues?.['verify-container'] ?? []).filter(Boolean))
  const containers = execFileSync('docker', ['ps', '-a', '--filter', 'name=ohe-verify-', '--format', '{{.Names}}'], { env: engineEnv(engine) })
    .toString()
    .trim()
  return containers === '' ? [] : containers.split('\n').filter(name => made.has(name))
}

describeE2E.each(stackEngines())('verify on $name: the built image before anything is pushed', engine => {
  const on = { DOCKER_HOST: engine.dockerHost }
  afterAll(() => {
    for (const workspace of workspaces) rmSync(workspace, { recursive: true, force: true })
  })

  it('passes a clean image: healthy, its added size reported, and the pushed diff_ids are the verified ones', async () => {
    const repository = uniqueRepository(mustBeUp(stack), 'i11-clean')
    const workspace = workspaceWith(`FROM ${base}:1.23.0-python\nUSER root\nRUN echo baked > /opt-baked.txt\nUSER openhands\n`)
    const run = await runAction(inputs(repository), workspace, on)
    if (process.env.I11_DEBUG) console.log(run.log, run.summary)
    expect(errors(run)).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(run.outputs.pushed).toBe('true')
    expect(run.log).toMatch(/Healthy after \d+(\.\d+)? s; sdk_version 1\.23\.0 matches 1\.23\.0/)
    expect(run.log).toMatch(/the registry's layers are the verified ones \(2 diff_ids match\)/)
    expect(run.log).toMatch(/skipped 1 base layer\(s\)/)
    expect(run.summary).toMatch(/Boot as OHE starts it \| ✅ healthy in \d+(\.\d+)? s, sdk_version 1\.23\.0/)
    expect(run.summary).toMatch(/Size added over the base \| 1 layer\(s\), [\d.]+ (B|kB) compressed, [\d.]+ kB uncompressed/)
    // The digest is the registry's, and its config holds the layers that were verified.
    const registry = new RegistryClient(mustBeUp(stack))
    const manifest = await registry.getManifest(nameOf(repository), run.outputs.tag ?? '')
    expect(run.outputs.digest).toBe(manifest?.digest)
    // The containerd image store pushes an index (the image and BuildKit's attestation): its linux/amd64 image.
    const amd64 = manifest?.json.manifests?.find(entry => entry.platform?.os === 'linux' && entry.platform.architecture === 'amd64')
    const image = amd64 === undefined ? manifest : await registry.getManifest(nameOf(repository), amd64.digest)
    expect(image?.json.layers).toHaveLength(2)
    await runPostStep(run, workspace)
    expect(leftovers(engine, run)).toEqual([])
  })

  it('passes a multi-line key in through secret-files: used by RUN, never in the image', async () => {
    const repository = uniqueRepository(mustBeUp(stack), 'i11-secretfile')
    const key = pemKey('ec')
    const workspace = workspaceWith(
      `FROM ${base}:1.23.0-python\nUSER root\nRUN --mount=type=secret,id=deploy_key grep -c . /run/secrets/deploy_key > /key-lines.txt\nUSER openhands\n`
    )
    const keyFile = path.join(scratchDir('i11-key-'), 'deploy_key')
    writeFileSync(keyFile, key, { mode: 0o600 })
    const run = await runAction(inputs(repository, { 'secret-files': `deploy_key=${keyFile}` }), workspace, on)
    expect(errors(run)).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(run.log).toContain(`--secret id=deploy_key,src=${keyFile}`)
    expect(run.outputs.pushed).toBe('true')
    // The RUN saw every line of the key (the secrets input cannot carry more than one).
    const lines = key.trim().split('\n').length
    const image = run.outputs.image ?? ''
    const pushed = `${image.replace(/:[^:/]+$/, '')}@${run.outputs.digest ?? ''}`
    // The action's login lived in its own per-run docker config, gone with the step: the test pulls with its own.
    const state = mustBeUp(stack)
    const pullConfig = scratchDir('i11-pull-')
    const auth = Buffer.from(`${state.username}:${state.password}`).toString('base64')
    writeFileSync(path.join(pullConfig, 'config.json'), JSON.stringify({ auths: { [state.registry]: { auth } } }), { mode: 0o600 })
    const count = execFileSync('docker', ['run', '--rm', '--entrypoint', 'cat', pushed, '/key-lines.txt'], {
      env: engineEnv(engine, { DOCKER_CONFIG: pullConfig })
    })
    rmSync(pullConfig, { recursive: true, force: true })
    execFileSync('docker', ['image', 'rm', pushed], { stdio: 'ignore', env: engineEnv(engine) })
    expect(count.toString().trim()).toBe(String(lines))
    await runPostStep(run, workspace)
    rmSync(path.dirname(keyFile), { recursive: true, force: true })
  })

  it('passes a token-shaped string inside an installed package (issue 13): a notice naming the package, and pushes', async () => {
    // A public example value inside an SDK, as `npm ci` installs it. It reaches the layer through a secret mount, so
    // neither the context nor the history holds it: only the file in the package does.
    const token = checksummed('npm_')
    const repository = uniqueRepository(mustBeUp(stack), 'i13-package')
    const { workspace, tokenFile } = packageImage(token)
    const run = await runAction(inputs(repository, { 'secret-files': `sdk_example=${tokenFile}`, sarif: 'out/scan.sarif' }), workspace, on)
    if (process.env.I13_DEBUG) console.log(run.log, run.summary)
    expect(errors(run)).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(run.outputs.pushed).toBe('true')
    const notices = run.annotations.filter(a => a.level === 'notice' && a.message.includes('in installed package'))
    expect(notices.map(a => a.properties)).toEqual([expect.objectContaining({ file: 'image/Dockerfile', line: '3' })])
    expect(notices.map(a => a.message)).toEqual([
      expect.stringMatching(
        new RegExp(`in file ${sdk}/lib/example\\.js, layer 2, in installed package example-sdk@2\\.4\\.1 \\(made by RUN .*\\); not failing`)
      )
    ])
    expect(run.log).toMatch(/0 finding\(s\), 1 notice\(s\) in installed packages/)
    expect(run.summary).toMatch(/Secrets in layers and config \| ✅ none: .*; 1 in installed packages \(notices, not failing\) \|/)
    expect(run.summary).toContain(`in \`${sdk}/lib/example.js\`, package \`example-sdk@2.4.1\`, layer 2`)
    expect(shown(run)).not.toContain(token)
    // Like the context scan's notices, they stay out of SARIF.
    const sarifText = readFileSync(path.join(workspace, 'out', 'scan.sarif'), 'utf8')
    expect(sarifText).not.toContain(token)
    expect((JSON.parse(sarifText) as { runs: Array<{ results: SarifResult[] }> }).runs[0]?.results).toEqual([])
    const registry = new RegistryClient(mustBeUp(stack))
    expect(await registry.listTags(nameOf(repository))).toEqual([run.outputs.tag])
    await runPostStep(run, workspace)
    expect(leftovers(engine, run)).toEqual([])
  })

  it('fails on a token in an installed package with scan-installed-packages: fail (issue 13)', async () => {
    const token = checksummed('npm_')
    const repository = uniqueRepository(mustBeUp(stack), 'i13-package-fail')
    const { workspace, tokenFile } = packageImage(token)
    const run = await runAction(inputs(repository, { 'secret-files': `sdk_example=${tokenFile}`, 'scan-installed-packages': 'fail' }), workspace, on)
    expect(errors(run)).toContainEqual(expect.stringMatching(new RegExp(`in file ${sdk}/lib/example\\.js, layer 2 \\(made by RUN`)))
    expect(shown(run)).not.toContain(token)
    await expectNothingPushed(run, repository, workspace, engine)
  })

  it('fails on a token written by RUN from a build arg, found in the layer and in the history', async () => {
    const token = checksummed('npm_')
    const repository = uniqueRepository(mustBeUp(stack), 'i11-buildarg')
    const workspace = workspaceWith(
      `FROM ${base}:1.23.0-python\nARG NPM_TOKEN\nUSER root\nRUN echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > /root/.npmrc\nUSER openhands\n`
    )
    const run = await runAction(inputs(repository, { 'build-args': `NPM_TOKEN=${token}`, sarif: 'out/scan.sarif' }), workspace, on)
    const found = errors(run).filter(message => message.startsWith('npm'))
    expect(found).toEqual([
      expect.stringMatching(/in file \/root\/\.npmrc, layer 2 \(made by RUN echo .*\(with build args NPM_TOKEN\)\)/),
      expect.stringMatching(/in the image config's history, layer 2 \(made by RUN echo/)
    ])
    expect(run.annotations.find(a => a.message.startsWith('npm'))?.properties).toMatchObject({ file: 'image/Dockerfile', line: '4' })
    expect(run.annotations.some(a => a.level === 'warning' && a.message.includes('build-args: NPM_TOKEN looks like a secret'))).toBe(true)
    expect(run.log).toContain('--build-arg NPM_TOKEN=***')
    expect(shown(run)).not.toContain(token)
    expect(run.summary).toMatch(/Secrets in layers and config \| ❌ 2 finding\(s\)/)
    // The same SARIF file as the context scan's, placed on the Dockerfile line, fingerprinted, the value never in it.
    const sarifText = readFileSync(path.join(workspace, 'out', 'scan.sarif'), 'utf8')
    expect(sarifText).not.toContain(token)
    const results = (JSON.parse(sarifText) as { runs: Array<{ results: SarifResult[] }> }).runs[0]?.results ?? []
    expect(results.map(result => [result.locations[0]?.physicalLocation.artifactLocation.uri, result.locations[0]?.physicalLocation.region.startLine])).toEqual(
      [
        ['image/Dockerfile', 4],
        ['image/Dockerfile', 4]
      ]
    )
    expect(results[0]?.message.text).toMatch(/in the built image, file \/root\/\.npmrc, layer 2 \(made by RUN echo/)
    expect(results[0]?.partialFingerprints['sandboxSecret/v1']).toMatch(/^image:\/root\/\.npmrc:/)
    await expectNothingPushed(run, repository, workspace, engine)
  })

  it('fails on a key added in one layer and deleted in a later one: the first layer still ships it', async () => {
    const repository = uniqueRepository(mustBeUp(stack), 'i11-deleted')
    const workspace = workspaceWith(
      `FROM ${base}:1.23.0-python\nUSER root\nCOPY deploy_key /root/.ssh/id_ed25519\nRUN rm /root/.ssh/id_ed25519\nUSER openhands\n`,
      { deploy_key: pemKey('ec') }
    )
    // The context scan is told to leave the file alone: the image scan must still see it.
    const run = await runAction(inputs(repository, { 'scan-exclude': 'deploy_key' }), workspace, on)
    const found = errors(run).filter(message => message.includes('/root/.ssh/id_ed25519'))
    expect(found).toHaveLength(1)
    expect(found[0]).toMatch(/layer 2 \(made by COPY deploy_key \/root\/\.ssh\/id_ed25519\)\. It was deleted by layer 3 \(RUN rm \/root\/\.ssh\/id_ed25519\)/)
    expect(run.summary).toContain('(deleted in layer 3, still shipped)')
    await expectNothingPushed(run, repository, workspace, engine)
  })

  it('issue 21: a token file copied and deleted by the next RUN, scan off: its line, what made it, the deletion; nothing pushed', async () => {
    const repository = uniqueRepository(mustBeUp(stack), 'i21-copied')
    const workspace = workspaceWith(`FROM ${base}:1.23.0-python\nUSER root\nCOPY tok.env /tmp/tok.env\nRUN rm /tmp/tok.env\nUSER openhands\n`, {
      'tok.env': `GITHUB_TOKEN=${issue21Token}\n`
    })
    const run = await runAction(inputs(repository, { scan: 'false' }), workspace, on)
    recordAnnotations('copied', engine, run, repository)
    const found = run.annotations.filter(a => a.level === 'error' && a.message.includes('/tmp/tok.env'))
    expect(found.map(a => a.properties)).toEqual([expect.objectContaining({ file: 'image/Dockerfile', line: '3' })])
    expect(found[0]?.message).toMatch(
      /in file \/tmp\/tok\.env, layer 2 \(made by COPY tok\.env \/tmp\/tok\.env\)\. It was deleted by layer 3 \(RUN rm \/tmp\/tok\.env\), but the layer that added it still ships with the image\./
    )
    expect(run.summary).toContain('(deleted in layer 3, still shipped)')
    expect(shown(run)).not.toContain(issue21Token)
    await expectNothingPushed(run, repository, workspace, engine)
  })

  it('issue 21: a token only in a RUN of the history, scan off: found, on the RUN line, nothing pushed', async () => {
    const repository = uniqueRepository(mustBeUp(stack), 'i21-history')
    const workspace = workspaceWith(`FROM ${base}:1.23.0-python\nUSER root\nRUN echo "token=${issue21Token}" > /tmp/t && rm /tmp/t\nUSER openhands\n`)
    const run = await runAction(inputs(repository, { scan: 'false' }), workspace, on)
    recordAnnotations('history', engine, run, repository)
    const found = run.annotations.filter(a => a.level === 'error' && a.message.includes("in the image config's history"))
    expect(found.map(a => a.properties)).toEqual([expect.objectContaining({ file: 'image/Dockerfile', line: '3' })])
    expect(found[0]?.message).toMatch(/in the image config's history, layer 2 \(made by RUN echo "token=ghp_… \(40 chars\)" > \/tmp\/t && rm \/tmp\/t\)/)
    expect(run.summary).toMatch(/Secrets in layers and config \| ❌ 1 finding\(s\)/)
    // What the action writes never holds it; the build log does, as BuildKit echoes the RUN line (with scan: false the
    // context scan, which would have stopped the build on that Dockerfile line, did not run).
    expect(JSON.stringify(run.annotations) + run.summary).not.toContain(issue21Token)
    await expectNothingPushed(run, repository, workspace, engine)
  })

  it('fails on a secret put in ENV through a build arg', async () => {
    const token = checksummed('ghp_')
    const repository = uniqueRepository(mustBeUp(stack), 'i11-env')
    const workspace = workspaceWith(`FROM ${base}:1.23.0-python\nARG TOKEN_FROM_CI\nENV GITHUB_TOKEN=$TOKEN_FROM_CI\nRUN true\n`)
    const run = await runAction(inputs(repository, { 'build-args': `TOKEN_FROM_CI=${token}` }), workspace, on)
    expect(errors(run)).toContainEqual(expect.stringMatching(/in the image config's Env GITHUB_TOKEN \(made by ENV GITHUB_TOKEN=…\)/))
    // RUN true made an empty layer: read and scanned like any other.
    expect(errors(run).filter(message => message.includes('could not be read'))).toEqual([])
    expect(shown(run)).not.toContain(token)
    await expectNothingPushed(run, repository, workspace, engine)
  })

  it('fails on an image that replaces the server binary, with the log tail', async () => {
    const repository = uniqueRepository(mustBeUp(stack), 'i11-replaced')
    const workspace = workspaceWith(
      `FROM ${base}:1.23.0-python\nUSER root\nRUN printf '#!/bin/sh\\necho "my own server starting"\\nexit 3\\n' > /usr/local/bin/openhands-agent-server\nUSER openhands\n`
    )
    const run = await runAction(inputs(repository), workspace, on)
    const boot = errors(run).find(message => message.startsWith('Boot check failed'))
    // The startup probe is the first: /server_info.
    expect(boot).toMatch(/^Boot check failed at \/server_info: the container exited \(code 3\) before \/server_info answered 200/)
    expect(boot).toContain('my own server starting')
    expect(run.summary).toContain('Container log (last lines, redacted)')
    await expectNothingPushed(run, repository, workspace, engine)
  })

  it('fails when the server never answers: the deadline is hit and the log tail shown', async () => {
    const repository = uniqueRepository(mustBeUp(stack), 'i11-silent')
    const workspace = workspaceWith(
      `FROM ${base}:1.23.0-python\nUSER root\nRUN printf '#!/bin/sh\\necho "warming up forever"\\nexec sleep 600\\n' > /usr/local/bin/openhands-agent-server\nUSER openhands\n`
    )
    const started = Date.now()
    const run = await runAction(inputs(repository, { 'boot-timeout': '4' }), workspace, on)
    const boot = errors(run).find(message => message.startsWith('Boot check failed'))
    expect(boot).toMatch(
      /^Boot check failed at \/server_info: \/server_info did not answer 200 within the startup probe's 1 s timeout before boot-timeout \(4 s; last: [A-Z_]+\)/
    )
    expect(boot).toContain('warming up forever')
    expect(Date.now() - started).toBeLessThan(120_000)
    await expectNothingPushed(run, repository, workspace, engine)
  })

  it('fails when /server_info reports another SDK minor', async () => {
    const repository = uniqueRepository(mustBeUp(stack), 'i11-sdk')
    const workspace = workspaceWith(
      `FROM ${base}:1.23.0-python\nUSER root\nRUN printf '{"sdk_version":"1.24.0"}\\n' > /srv/agent-server/server_info\nUSER openhands\n`
    )
    const run = await runAction(inputs(repository), workspace, on)
    expect(errors(run)).toContainEqual(
      expect.stringMatching(/^Boot check failed at \/server_info: \/server_info reports sdk_version 1\.24\.0, but the target agent-server is 1\.23\.0/)
    )
    expect(run.summary).toMatch(/Boot as OHE starts it \| ❌ \/server_info/)
    await expectNothingPushed(run, repository, workspace, engine)
  })

  it('fails above max-added-size before pushing, saying the size', async () => {
    const repository = uniqueRepository(mustBeUp(stack), 'i11-size')
    // 300 kB of random bytes: incompressible, far above the 100kB limit.
    const workspace = workspaceWith(`FROM ${base}:1.23.0-python\nUSER root\nRUN head -c 300000 /dev/urandom > /opt-blob.bin\nUSER openhands\n`)
    const run = await runAction(inputs(repository, { 'max-added-size': '100kB' }), workspace, on)
    expect(errors(run)).toContainEqual(
      expect.stringMatching(
        /^The layers added over the base are 30\d kB compressed \(estimated with gzip -1; 30\d kB uncompressed, 1 layer\(s\)\), above max-added-size 100 kB/
      )
    )
    await expectNothingPushed(run, repository, workspace, engine)
  })

  it('the post step removes the container, the local image and the temp dir a cancelled run left', async () => {
    const hex = randomBytes(6).toString('hex')
    const container = `ohe-verify-${hex}`
    const image = `ohe-sandbox-verify:${hex}`
    const baseRef = `${base}:1.23.0-python`
    const workspace = workspaceWith(`FROM ${baseRef}\n`)
    const scratch = scratchDir('ohe-sandbox-image-')
    const dockerConfig = scratchDir('i11-docker-config-')
    const docker = (args: string[]): string => execFileSync('docker', args, { env: engineEnv(engine, { DOCKER_CONFIG: dockerConfig }) }).toString()
    const { username, password } = mustBeUp(stack)
    execFileSync('docker', ['login', REGISTRY, '--username', username, '--password-stdin'], {
      input: password,
      env: engineEnv(engine, { DOCKER_CONFIG: dockerConfig })
    })
    docker(['pull', '--quiet', baseRef])
    docker(['tag', baseRef, image])
    docker(['run', '--detach', '--name', container, image, '--port', '8000'])
    const cancelled = {
      exitCode: 1,
      log: '',
      outputs: {},
      state: { 'is-post': 'true', 'verify-container': container, 'verify-image': image, 'verify-temp-dir': scratch },
      dockerConfig,
      dockerHost: engine.dockerHost,
      annotations: [],
      summary: ''
    }
    const post = await runPostStep(cancelled, workspace)
    expect(post.exitCode).toBe(0)
    expect(leftovers(engine, { savedValues: { 'verify-container': [container] } })).toEqual([])
    expect(
      execFileSync('docker', ['images', '--quiet', image], { env: engineEnv(engine) })
        .toString()
        .trim()
    ).toBe('')
    expect(existsSync(scratch)).toBe(false)
    rmSync(dockerConfig, { recursive: true, force: true })
  })
})

describeE2E('verify: the same annotations on every engine (issue 21)', () => {
  it.each(['copied', 'history'])('%s: word for word, apart from digests and repository names', kind => {
    const byEngine = issue21Seen.get(kind)
    // Both cases ran on every engine above (a failure there leaves its engine out, and this fails too).
    expect([...(byEngine?.keys() ?? [])]).toEqual(stackEngines().map(engine => engine.name))
    const [first, ...others] = [...(byEngine?.values() ?? [])]
    expect(first?.length).toBeGreaterThan(0)
    for (const other of others) expect(other).toEqual(first)
  })
})
