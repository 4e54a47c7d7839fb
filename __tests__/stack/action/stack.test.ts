/**
 * The e2e stack itself (scripts/e2e-stack.sh up): the stand-in bases are there with the agent-server contract,
 * and the registry refuses requests without valid credentials. Runs in CI always; skipped elsewhere when the
 * stack is not up.
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  BASE_ENTRYPOINT,
  BASE_REPOSITORY,
  BASE_VERSIONS,
  MEDIA_TYPES,
  REGISTRY,
  RegistryClient,
  e2eEnabled,
  mustBeUp,
  engineEnv,
  registryFetch,
  stackEngines,
  stackState,
  type StackState
} from '../../support/stack.js'

const stack = await stackState()
const describeE2E = e2eEnabled(stack) ? describe : describe.skip

// In CI a stack that is down must fail these tests, with a message that says why.
const up = (): StackState => mustBeUp(stack)

describeE2E('e2e stack', () => {
  it('is up, with the registry on 127.0.0.1:5000 and the ci user', () => {
    const s = up()
    expect(s.registry).toBe(REGISTRY)
    expect(s.username).toBe('ci')
    expect(s.password.length).toBeGreaterThanOrEqual(16)
  })

  it('runs two engines, one with the containerd image store, each answering on its DOCKER_HOST', () => {
    const engines = stackEngines()
    const stores = engines.map(engine =>
      execFileSync('docker', ['info', '--format', '{{.ServerVersion}} {{json .DriverStatus}}'], { env: engineEnv(engine) }).toString()
    )
    expect(engines).toHaveLength(2)
    expect(stores.filter(info => info.includes('io.containerd.snapshotter'))).toHaveLength(1)
  })

  it('has the three stand-in base tags', async () => {
    const tags = await new RegistryClient(up()).listTags(BASE_REPOSITORY)
    expect(tags).toEqual(expect.arrayContaining(BASE_VERSIONS.map(v => `${v}-python`)))
  })

  it.each(BASE_VERSIONS)('base %s-python is linux/amd64 with the agent-server contract', async version => {
    const registry = new RegistryClient(up())
    const manifest = await registry.getManifest(BASE_REPOSITORY, `${version}-python`)
    expect(manifest?.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect([MEDIA_TYPES.dockerManifest, MEDIA_TYPES.ociManifest]).toContain(manifest?.mediaType)

    const config = await registry.getConfig(BASE_REPOSITORY, `${version}-python`)
    expect(config.manifestDigest).toBe(manifest?.digest)
    expect({ os: config.os, architecture: config.architecture }).toEqual({ os: 'linux', architecture: 'amd64' })
    expect(config.entrypoint).toEqual([...BASE_ENTRYPOINT])
    expect(config.cmd).toBeNull()
    expect(config.user).toBe('openhands')
    expect(config.exposedPorts).toEqual(['8000/tcp', '8002/tcp'])
    expect(config.labels['org.opencontainers.image.version']).toBe(version)
  })

  it('answers a missing tag with undefined / no tags, not an error', async () => {
    const registry = new RegistryClient(up())
    expect(await registry.getManifest(BASE_REPOSITORY, '0.0.0-missing')).toBeUndefined()
    expect(await registry.listTags('e2e-stack/never-pushed')).toEqual([])
    expect(await registry.deleteTag('e2e-stack/never-pushed', 'x')).toBe(false)
  })

  it('lists, reads (also through an index) and deletes an image pushed over the API', async () => {
    const s = up()
    const registry = new RegistryClient(s)
    const repo = 'e2e-stack/delete-test'
    const tag = `t${process.pid}`
    const config = JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { User: '10001' },
      rootfs: { type: 'layers', diff_ids: [] }
    })
    const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`
    const start = await registryFetch(s, `/v2/${repo}/blobs/uploads/`, { method: 'POST' })
    expect(start.status).toBe(202)
    const location = new URL(start.headers.get('location') ?? '', `http://${s.registry}`)
    location.searchParams.set('digest', configDigest)
    const put = await registryFetch(s, `${location.pathname}${location.search}`, {
      method: 'PUT',
      body: config,
      contentType: 'application/octet-stream'
    })
    expect(put.status).toBe(201)
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: []
    })
    const putManifest = await registryFetch(s, `/v2/${repo}/manifests/${tag}`, {
      method: 'PUT',
      body: manifest,
      contentType: MEDIA_TYPES.ociManifest
    })
    expect(putManifest.status).toBe(201)
    const manifestDigest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`
    const descriptor = { mediaType: MEDIA_TYPES.ociManifest, digest: manifestDigest, size: manifest.length }
    // An index as buildx pushes it: the image plus an attestation manifest for unknown/unknown.
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociIndex,
      manifests: [
        { ...descriptor, platform: { architecture: 'unknown', os: 'unknown' } },
        { ...descriptor, platform: { architecture: 'amd64', os: 'linux' } }
      ]
    })
    const putIndex = await registryFetch(s, `/v2/${repo}/manifests/${tag}-index`, {
      method: 'PUT',
      body: index,
      contentType: MEDIA_TYPES.ociIndex
    })
    expect(putIndex.status).toBe(201)

    expect(await registry.listTags(repo)).toEqual(expect.arrayContaining([tag, `${tag}-index`]))
    const direct = await registry.getConfig(repo, tag)
    expect(direct).toMatchObject({ manifestDigest, configDigest, os: 'linux', architecture: 'amd64', user: '10001' })
    expect((await registry.getManifest(repo, `${tag}-index`))?.mediaType).toBe(MEDIA_TYPES.ociIndex)
    expect(await registry.getConfig(repo, `${tag}-index`)).toEqual(direct)

    expect(await registry.deleteTag(repo, `${tag}-index`)).toBe(true)
    expect(await registry.deleteTag(repo, tag)).toBe(true)
    expect(await registry.listTags(repo)).not.toContain(tag)
    expect(await registry.getManifest(repo, tag)).toBeUndefined()
  })

  it('refuses unauthenticated access with 401 and a Basic challenge', async () => {
    const s = up()
    for (const path of ['/v2/', `/v2/${BASE_REPOSITORY}/tags/list`, `/v2/${BASE_REPOSITORY}/manifests/1.23.0-python`]) {
      const res = await registryFetch(s, path, { auth: 'none' })
      expect({ path, status: res.status }).toEqual({ path, status: 401 })
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic /)
    }
  })

  it('refuses a wrong password and an unknown user', async () => {
    const s = up()
    for (const auth of [
      { username: s.username, password: `${s.password}x` },
      { username: 'nobody', password: s.password }
    ]) {
      const res = await registryFetch(s, `/v2/${BASE_REPOSITORY}/tags/list`, { auth })
      expect(res.status).toBe(401)
    }
  })
})
