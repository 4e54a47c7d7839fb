/**
 * Provenance, SBOM and a cosign signature on the verified image, on the real stack: the bundled action builds,
 * verifies and pushes to the htpasswd registry, then signs with Debian trixie's cosign (installed by
 * scripts/e2e-stack.sh). On Docker 20.10's classic image store the docker driver cannot keep attestations: one
 * notice, a clean push. On Docker 26 with the containerd image store (the stack's second engine) the pushed index
 * holds the verified image and its attestations, whose subject is the pushed repository.
 */
import { jest } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { runAction, type ActionRun } from '../support/action-runner.js'
import { dockerPusher, uniqueRepository } from '../support/docker-push.js'
import { scratchDir } from '../support/scratch.js'
import {
  BASE_REPOSITORY,
  REGISTRY,
  RegistryClient,
  e2eEnabled,
  mustBeUp,
  registryFetch,
  stackEngines,
  stackState,
  type ManifestJson
} from '../support/stack.js'

const stack = await stackState()
const describeE2E = e2eEnabled(stack) ? describe : describe.skip
jest.setTimeout(300_000)

const base = `${REGISTRY}/${BASE_REPOSITORY}`

// The containerd image store's engine: in CI it is always there (stackEngines lists it), so its absence fails there.
const containerd = stackEngines().find(engine => engine.name.includes('containerd'))
const describeContainerd = e2eEnabled(stack) && containerd !== undefined ? describe : describe.skip

/** A docker config of its own, logged in to the stack's registry, for cosign and docker run by the test. */
function loggedInConfig(): string {
  const { registry, username, password } = mustBeUp(stack)
  const dir = scratchDir('attest-config-')
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ auths: { [registry]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } } }))
  return dir
}

function workspaceWith(dockerfile: string): string {
  const workspace = scratchDir('attest-')
  mkdirSync(path.join(workspace, 'image'))
  writeFileSync(path.join(workspace, 'image', 'Dockerfile'), dockerfile)
  return workspace
}

function inputs(repository: string, extra: Record<string, string>): Record<string, string> {
  const { username, password } = mustBeUp(stack)
  return {
    'agent-server-version': '1.23.0',
    'base-image': base,
    context: 'image',
    repository,
    tag: 't1',
    'registry-username': username,
    'registry-password': password,
    ...extra
  }
}

/** What a reader of the run sees: the log without the runner's ::add-mask:: commands (the runner consumes those), and the summary. */
const shown = (run: ActionRun): string => run.log.replace(/^::add-mask::.*$/gm, '') + run.summary
const notices = (run: ActionRun): string[] => run.annotations.filter(a => a.level === 'notice').map(a => a.message)
const nameOf = (repository: string): string => repository.slice(REGISTRY.length + 1)

async function blobJson<T>(repository: string, digest: string): Promise<T> {
  const res = await registryFetch(mustBeUp(stack), `/v2/${nameOf(repository)}/blobs/${digest}`)
  if (!res.ok) throw new Error(`blob ${digest} of ${repository}: HTTP ${res.status}`)
  return (await res.json()) as T
}

function cosign(args: string[], env: Record<string, string>): { status: number; output: string } {
  const run = spawnSync('cosign', args, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env },
    encoding: 'utf8',
    timeout: 120_000
  })
  return { status: run.status ?? -1, output: `${run.stdout}${run.stderr}` }
}

describeE2E('sign: key-based with cosign 2.5, against the test registry (classic image store)', () => {
  const workspace = workspaceWith(`FROM ${base}:1.23.0-python\nUSER root\nRUN echo signed-${randomBytes(4).toString('hex')} > /marker\nUSER openhands\n`)
  // A key pair made for this run only; its password too.
  const keys = scratchDir('attest-keys-')
  const password = `pw-${randomBytes(12).toString('hex')}`
  execFileSync('cosign', ['generate-key-pair'], { cwd: keys, env: { PATH: process.env.PATH ?? '', HOME: keys, COSIGN_PASSWORD: password }, stdio: 'ignore' })
  const privateKey = readFileSync(path.join(keys, 'cosign.key'), 'utf8')
  const publicKey = path.join(keys, 'cosign.pub')

  test('provenance by default: one notice and a clean push; then signed, verified, and a tampered tag fails', async () => {
    const state = mustBeUp(stack)
    const repository = uniqueRepository(state, 'signed')
    const run = await runAction(
      inputs(repository, { sign: 'true', 'cosign-key': privateKey, 'cosign-password': password, 'sign-tlog-upload': 'false' }),
      workspace
    )
    if (run.exitCode !== 0) console.log(shown(run).slice(-3000))
    expect(run.exitCode).toBe(0)
    const classic = notices(run).filter(message => message.includes("the docker driver on Docker's classic image store cannot keep attestations"))
    expect(classic).toEqual([expect.stringMatching(/^The image is pushed without SLSA provenance \(mode=min\): /)])

    // A clean push: one image manifest, no index of attestations naming a local tag.
    const registry = new RegistryClient(state)
    const pushed = await registry.getManifest(nameOf(repository), 't1')
    expect(pushed?.json.manifests).toBeUndefined()
    expect(pushed?.json.config).toBeDefined()
    const imageRef = `${repository}@${pushed?.digest ?? ''}`
    expect(run.outputs['image-ref']).toBe(imageRef)

    // The operator's command, as the summary gives it, passes with the public key.
    const verifyLine = `cosign verify --key cosign.pub --insecure-ignore-tlog=true ${imageRef}`
    expect(run.summary).toContain(verifyLine)
    const config = loggedInConfig()
    const verified = cosign(['verify', '--key', publicKey, '--insecure-ignore-tlog=true', imageRef], { DOCKER_CONFIG: config })
    expect({ status: verified.status, output: verified.output }).toEqual({
      status: 0,
      output: expect.stringContaining('The signatures were verified against the specified public key')
    })
    // The signature sits in the same repository, as cosign's tag for the digest.
    expect(await registry.listTags(nameOf(repository))).toContain(`${(pushed?.digest ?? '').replace(':', '-')}.sig`)

    // Another image pushed over the tag: the tag no longer verifies.
    const pusher = await dockerPusher(state)
    try {
      await pusher.push(`${repository}:t1`, `FROM ${base}:1.23.0-python\nRUN echo tampered > /tmp/tampered\n`)
    } finally {
      await pusher.close()
    }
    const tampered = cosign(['verify', '--key', publicKey, '--insecure-ignore-tlog=true', `${repository}:t1`], { DOCKER_CONFIG: config })
    expect(tampered.status).not.toBe(0)
    expect(tampered.output).toContain('no signatures found')

    // Neither the key nor its password is ever shown: not whole, not line by line.
    const text = shown(run)
    expect(text).not.toContain(password)
    for (const line of privateKey.split('\n').filter(part => part.length >= 16)) expect(text).not.toContain(line)
  })

  test('signing that fails fails the step after the push, saying the image is pushed but unsigned', async () => {
    const state = mustBeUp(stack)
    const repository = uniqueRepository(state, 'unsigned')
    const run = await runAction(
      inputs(repository, { sign: 'true', 'cosign-key': privateKey, 'cosign-password': `wrong-${password}`, 'sign-tlog-upload': 'false', verify: 'false' }),
      workspace
    )
    expect(run.exitCode).toBe(1)
    expect(run.outputs.pushed).toBe('true')
    const imageRef = run.outputs['image-ref'] ?? ''
    expect(imageRef).toMatch(new RegExp(`^${repository.replace(/[.]/g, '\\.')}@sha256:[0-9a-f]{64}$`))
    const errors = run.annotations.filter(a => a.level === 'error').map(a => a.message)
    expect(errors).toEqual([expect.stringContaining(`${imageRef} is pushed but unsigned: cosign sign failed: `)])
    expect(run.summary).toContain(`❌ Not signed: \`${imageRef}\` is pushed but unsigned.`)
    expect(shown(run)).not.toContain(password)
  })
})

describeE2E('sign: keyless, as far as this stack goes (no OIDC issuer or Fulcio here)', () => {
  test("cosign asks the runner's token endpoint for a sigstore token, with the job's request token", async () => {
    const requests: Array<{ url: string; authorization: string }> = []
    const server = createServer((req, res) => {
      requests.push({ url: req.url ?? '', authorization: (req.headers.authorization ?? '').toLowerCase() })
      res.writeHead(403, { 'content-type': 'application/json' }).end('{"message":"no token in tests"}')
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as AddressInfo).port
    const requestToken = `runtime-${randomBytes(8).toString('hex')}`
    try {
      const repository = uniqueRepository(mustBeUp(stack), 'keyless')
      const workspace = workspaceWith(`FROM ${base}:1.23.0-python\nUSER openhands\n`)
      const run = await runAction(inputs(repository, { sign: 'true', verify: 'false', provenance: 'false', 'sign-tlog-upload': 'false' }), workspace, {
        ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${port}/token?api-version=2.0`,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken
      })
      expect(run.exitCode).toBe(1)
      expect(run.outputs.pushed).toBe('true')
      expect(requests).toEqual([{ url: '/token?api-version=2.0&audience=sigstore', authorization: `bearer ${requestToken}` }])
      const errors = run.annotations.filter(a => a.level === 'error').map(a => a.message)
      expect(errors).toEqual([expect.stringContaining(`${run.outputs['image-ref'] ?? ''} is pushed but unsigned: cosign sign failed: `)])
      expect(shown(run)).not.toContain(requestToken)
    } finally {
      server.close()
    }
  })
})

describeContainerd('provenance and SBOM on the containerd image store (Docker 26)', () => {
  const host = containerd?.dockerHost ?? ''
  const config = stack ? loggedInConfig() : ''
  const docker = (args: string[], cwd?: string): string =>
    execFileSync('docker', args, {
      cwd,
      env: { ...process.env, DOCKER_HOST: host, DOCKER_CONFIG: config },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe']
    })

  /**
   * An SBOM scanner of the test's own (no Docker Hub here): BuildKit runs it with the image's root at
   * BUILDKIT_SCAN_SOURCE and keeps the in-toto SPDX statement it writes to BUILDKIT_SCAN_DESTINATION.
   */
  function pushScanner(): string {
    const dir = scratchDir('attest-scanner-')
    const image = `${uniqueRepository(mustBeUp(stack), 'sbom-scanner')}:1`
    writeFileSync(
      path.join(dir, 'scan.sh'),
      'set -e\nfiles=$(find "$BUILDKIT_SCAN_SOURCE" -type f | wc -l)\n' +
        'printf \'{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document","predicate":{"spdxVersion":"SPDX-2.3","name":"e2e-scanner","comment":"%s files"}}\' "$files" > "$BUILDKIT_SCAN_DESTINATION/spdx.json"\n'
    )
    // The stand-in base's entrypoint serves forever; the scanner must run its script and exit.
    writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${base}:1.23.0-python\nUSER root\nCOPY scan.sh /scan.sh\nENTRYPOINT []\nCMD ["sh", "/scan.sh"]\n`)
    docker(['buildx', 'build', '--provenance', 'false', '--push', '--tag', image, '.'], dir)
    return image
  }

  test('the pushed index holds the verified image and its provenance and SBOM, whose subject is the repository', async () => {
    const state = mustBeUp(stack)
    const scanner = pushScanner()
    const repository = uniqueRepository(state, 'attested')
    const dockerfile = `FROM ${base}:1.23.0-python\nARG DEPLOY_TOKEN\nUSER root\nRUN echo attested-${randomBytes(4).toString('hex')} > /marker\nUSER openhands\n`
    const workspace = workspaceWith(dockerfile)
    const token = `made-here-${randomBytes(8).toString('hex')}`
    const run = await runAction(
      inputs(repository, { provenance: 'mode=max', sbom: `generator=${scanner}`, 'build-args': `DEPLOY_TOKEN=${token}` }),
      workspace,
      { DOCKER_HOST: host }
    )
    if (run.exitCode !== 0) console.log(shown(run).slice(-4000))
    expect(run.exitCode).toBe(0)
    expect(notices(run).filter(message => message.includes('cannot keep attestations'))).toEqual([])
    // Max mode records build args: the secret-looking one is warned about (never shown).
    const warnings = run.annotations.filter(a => a.level === 'warning').map(a => a.message)
    expect(warnings).toContain(
      "build-args: DEPLOY_TOKEN looks like a secret, and provenance mode=max records every build arg's value in the provenance attestation pushed with the image, readable by anyone who can pull it: pass it with the secrets input, or use provenance mode=min."
    )
    expect(run.log).toMatch(/the registry's layers are the verified ones \(\d+ diff_ids match\)/)
    // The containerd store keeps the attestations of the loaded build: the verified image is uploaded as it is, with
    // no second build.
    expect(run.log).toContain('with its attestations, to verify it before any push')
    expect(run.log).toMatch(/Uploaded the verified image \(sha256:[0-9a-f]{64}\)/)
    expect(run.log).not.toContain('the same build again')

    const registry = new RegistryClient(state)
    const index = await registry.getManifest(nameOf(repository), 't1')
    expect(run.outputs['image-ref']).toBe(`${repository}@${index?.digest ?? ''}`)
    const entries = index?.json.manifests ?? []
    const image = entries.find(entry => entry.platform?.os === 'linux' && entry.platform.architecture === 'amd64')
    const attestation = entries.find(entry => entry.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest')
    expect(image).toBeDefined()
    expect(attestation?.annotations?.['vnd.docker.reference.digest']).toBe(image?.digest)

    // The attestations: provenance and SPDX, each about the pushed repository's image manifest.
    const manifest = await registry.getManifest(nameOf(repository), attestation?.digest ?? '')
    const layers = manifest?.json.layers ?? []
    expect(layers.map(layer => layer.annotations?.['in-toto.io/predicate-type']).sort()).toEqual([
      'https://slsa.dev/provenance/v0.2',
      'https://spdx.dev/Document'
    ])
    for (const layer of layers) {
      const statement = await blobJson<{ subject: Array<{ name: string; digest: { sha256: string } }> }>(repository, layer.digest)
      expect(statement.subject).toEqual([
        {
          name: `pkg:docker/${encodeURIComponent(REGISTRY)}/${nameOf(repository)}@t1?platform=linux%2Famd64`,
          digest: { sha256: image?.digest.slice('sha256:'.length) }
        }
      ])
      expect(JSON.stringify(statement)).not.toContain('ohe-sandbox-verify')
    }

    // The image manifest's layers are the verified image's: the same build loaded again (from the cache) has
    // exactly these diff_ids.
    const imageManifest = (await registry.getManifest(nameOf(repository), image?.digest ?? ''))?.json as ManifestJson
    const pushedConfig = await blobJson<{ rootfs: { diff_ids: string[] } }>(repository, imageManifest.config?.digest ?? '')
    const local = `attest-check-${randomBytes(4).toString('hex')}:1`
    const context = path.join(workspace, 'image')
    docker(['buildx', 'build', '--provenance', 'false', '--build-arg', `DEPLOY_TOKEN=${token}`, '--load', '--tag', local, context])
    try {
      const loaded = JSON.parse(docker(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', local])) as string[]
      expect(pushedConfig.rootfs.diff_ids).toEqual(loaded)
    } finally {
      docker(['image', 'rm', local])
    }
  })
})
