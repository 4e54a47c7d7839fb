/**
 * The registry client against the real registry of the e2e stack (scripts/e2e-stack.sh: Distribution with htpasswd
 * basic auth on 127.0.0.1:5000, stand-in bases openhands/agent-server:{1.22.0,1.23.0,1.24.0}-python).
 * Runs in CI always (a stack that is down fails it there); skipped elsewhere when the stack is not up.
 */
import { createHash } from 'node:crypto'
import {
  BASE_ENTRYPOINT,
  BASE_REPOSITORY,
  BASE_VERSIONS,
  RegistryClient as StackRegistryClient,
  e2eEnabled,
  mustBeUp,
  registryFetch,
  stackState,
  type StackState
} from '../../support/stack.js'
import { MEDIA_TYPES, createRegistryClient } from '../../../src/registry/client.js'
import { closedPort } from '../../registry/stand-in-registry.js'
import { registryError } from '../../registry/support.js'

const stack = await stackState()
const describeE2E = e2eEnabled(stack) ? describe : describe.skip

// In CI a stack that is down must fail these tests, with a message that says why.
const up = (): StackState => mustBeUp(stack)

function client(password?: string) {
  const s = up()
  return createRegistryClient({
    registry: s.registry,
    credentials: { username: s.username, password: password ?? s.password }
  })
}

const sha256 = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`

/** Monolithic blob upload (POST, then PUT with the digest), as the stack's own tests push. */
async function pushBlob(s: StackState, repository: string, body: string): Promise<string> {
  const start = await registryFetch(s, `/v2/${repository}/blobs/uploads/`, { method: 'POST' })
  expect(start.status).toBe(202)
  const location = new URL(start.headers.get('location') ?? '', `http://${s.registry}`)
  location.searchParams.set('digest', sha256(body))
  const put = await registryFetch(s, `${location.pathname}${location.search}`, {
    method: 'PUT',
    body,
    contentType: 'application/octet-stream'
  })
  expect(put.status).toBe(201)
  return sha256(body)
}

async function pushManifest(s: StackState, repository: string, tag: string, body: string, mediaType: string) {
  const path = `/v2/${repository}/manifests/${tag}`
  const res = await registryFetch(s, path, { method: 'PUT', body, contentType: mediaType })
  expect(res.status).toBe(201)
  return { mediaType, digest: sha256(body), size: Buffer.byteLength(body) }
}

describeE2E('registry client against the e2e registry', () => {
  it('lists the base tags of every stand-in release', async () => {
    const tags = await client().listTags(BASE_REPOSITORY)
    expect(tags).toEqual(expect.arrayContaining(BASE_VERSIONS.map(v => `${v}-python`)))
  })

  it.each(BASE_VERSIONS)('reads the config of %s-python: the agent-server contract', async version => {
    const registry = client()
    const manifest = await registry.getManifest(BASE_REPOSITORY, `${version}-python`)
    expect([MEDIA_TYPES.dockerManifest, MEDIA_TYPES.ociManifest]).toContain(manifest.mediaType)
    // The digest matches what the stack's independent helper reads.
    const reference = await new StackRegistryClient(up()).getManifest(BASE_REPOSITORY, `${version}-python`)
    expect(manifest.digest).toBe(reference?.digest)

    const result = await registry.getImageConfig(BASE_REPOSITORY, `${version}-python`)
    expect(result.digest).toBe(manifest.digest)
    expect(result.indexDigest).toBeUndefined()
    expect(result.configDigest).toMatch(/^sha256:[0-9a-f]{64}$/)
    const { config } = result
    expect({ os: config.os, architecture: config.architecture }).toEqual({ os: 'linux', architecture: 'amd64' })
    expect(config.Entrypoint).toEqual([...BASE_ENTRYPOINT])
    expect(config.Cmd ?? null).toBeNull()
    expect(config.User).toBe('openhands')
    expect(Object.keys(config.ExposedPorts ?? {}).sort()).toEqual(['8000/tcp', '8002/tcp'])
    expect(config.Labels?.['org.opencontainers.image.version']).toBe(version)
  })

  it('tagExists: true for the bases, false for a missing tag', async () => {
    const registry = client()
    for (const version of BASE_VERSIONS) {
      expect(await registry.tagExists(BASE_REPOSITORY, `${version}-python`)).toBe(true)
    }
    expect(await registry.tagExists(BASE_REPOSITORY, '0.0.0-missing-python')).toBe(false)
  })

  it('says which is missing: the tag or the repository', async () => {
    const s = up()
    const tag = await registryError(client().getManifest(BASE_REPOSITORY, '0.0.0-missing-python'))
    expect(tag).toMatchObject({ kind: 'not-found', status: 404 })
    expect(tag.message).toBe(`tag 0.0.0-missing-python not found in ${BASE_REPOSITORY} in registry ${s.registry} (HTTP 404 MANIFEST_UNKNOWN)`)
    const repository = await registryError(client().listTags('e2e-registry/never-pushed'))
    expect(repository.message).toBe(
      `repository e2e-registry/never-pushed not found in registry ${s.registry} (HTTP 404 NAME_UNKNOWN): check the ` +
        'name and that the credentials can see it'
    )
  })

  it('fails on a wrong password with a RegistryError that does not show it', async () => {
    const s = up()
    const wrong = `${s.password}-wrong`
    const error = await registryError(client(wrong).listTags(BASE_REPOSITORY))
    expect(error).toMatchObject({ kind: 'unauthorized', status: 401, registry: s.registry })
    expect(error.message).toBe(
      `authentication failed at registry ${s.registry} reading tags of ${BASE_REPOSITORY} (HTTP 401 UNAUTHORIZED): ` +
        'the registry rejected registry-username/registry-password; check them'
    )
    expect(error.message).not.toContain(s.password)
  })

  it('asks for credentials when none are given', async () => {
    const s = up()
    const anonymous = createRegistryClient({ registry: s.registry })
    const error = await registryError(anonymous.getImageConfig(BASE_REPOSITORY, '1.23.0-python'))
    expect(error.kind).toBe('unauthorized')
    expect(error.message).toContain('the registry requires credentials; set registry-username/registry-password')
  })

  it('resolves an index pushed over the API to its platform images, past the attestation', async () => {
    const s = up()
    const repository = 'e2e-registry/index'
    const tag = `t${process.pid}`
    const descriptors = []
    for (const architecture of ['amd64', 'arm64']) {
      const config = JSON.stringify({
        architecture,
        os: 'linux',
        ...(architecture === 'arm64' ? { variant: 'v8' } : {}),
        config: { Entrypoint: [...BASE_ENTRYPOINT], User: 'openhands', Labels: { arch: architecture } },
        rootfs: { type: 'layers', diff_ids: [] }
      })
      const configDigest = await pushBlob(s, repository, config)
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociManifest,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
        layers: []
      })
      descriptors.push(await pushManifest(s, repository, `${tag}-${architecture}`, manifest, MEDIA_TYPES.ociManifest))
    }
    const [amd64, arm64] = descriptors
    if (amd64 === undefined || arm64 === undefined) throw new Error('unreachable')
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociIndex,
      manifests: [
        {
          ...amd64,
          platform: { architecture: 'unknown', os: 'unknown' },
          annotations: {
            'vnd.docker.reference.type': 'attestation-manifest',
            'vnd.docker.reference.digest': amd64.digest
          }
        },
        { ...arm64, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
        { ...amd64, platform: { architecture: 'amd64', os: 'linux' } }
      ]
    })
    const indexDescriptor = await pushManifest(s, repository, tag, index, MEDIA_TYPES.ociIndex)
    try {
      const registry = client()
      expect(await registry.tagExists(repository, tag)).toBe(true)
      const manifest = await registry.getManifest(repository, tag)
      expect(manifest).toMatchObject({ digest: indexDescriptor.digest, mediaType: MEDIA_TYPES.ociIndex })

      const x86 = await registry.getImageConfig(repository, tag)
      expect(x86).toMatchObject({ digest: amd64.digest, indexDigest: indexDescriptor.digest })
      expect(x86.config).toMatchObject({
        architecture: 'amd64',
        Entrypoint: [...BASE_ENTRYPOINT],
        Labels: { arch: 'amd64' }
      })
      const arm = await registry.getImageConfig(repository, tag, { os: 'linux', architecture: 'arm64' })
      expect(arm).toMatchObject({ digest: arm64.digest, indexDigest: indexDescriptor.digest })
      expect(arm.config.Labels).toEqual({ arch: 'arm64' })

      const windows = { os: 'windows', architecture: 'amd64' }
      const missing = await registryError(registry.getImageConfig(repository, tag, windows))
      expect(missing.message).toBe(`${repository}:${tag} in registry ${s.registry} has no windows/amd64 image (it has linux/arm64/v8, linux/amd64)`)
    } finally {
      const cleanup = new StackRegistryClient(s)
      await cleanup.deleteTag(repository, tag)
      await cleanup.deleteTag(repository, `${tag}-amd64`)
      await cleanup.deleteTag(repository, `${tag}-arm64`)
    }
  })

  it('cannot reach a registry that is down (a closed port, with the stack credentials)', async () => {
    const s = up()
    const port = await closedPort()
    const registry = createRegistryClient({
      registry: `127.0.0.1:${port}`,
      credentials: { username: s.username, password: s.password }
    })
    const error = await registryError(registry.getImageConfig(BASE_REPOSITORY, '1.24.0-python'))
    expect(error).toMatchObject({ kind: 'unreachable', registry: `127.0.0.1:${port}`, repository: BASE_REPOSITORY })
    expect(error.message).toBe(
      `cannot reach registry 127.0.0.1:${port} (ECONNREFUSED) reading ${BASE_REPOSITORY}:1.24.0-python: is it ` + 'running and reachable from the runner?'
    )
    expect(error.message).not.toContain(s.password)
  })
})
