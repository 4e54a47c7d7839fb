/**
 * Finding the image's own config among the JSON members of a docker save archive (save-layout.ts): which index
 * entries may be the image, and the walk from the image ID, index.json or manifest.json down to a config whose
 * layers are the engine's. The three real layouts, streamed, are in archive.test.ts.
 */
import { createHash } from 'node:crypto'
import { findImageConfig, imageManifests } from '../../src/verify/save-layout.js'

const digest = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`
const d = (n: number): string => `sha256:${String(n).repeat(64)}`

describe('imageManifests', () => {
  const amd64 = { digest: d(1), platform: { os: 'linux', architecture: 'amd64' } }
  const arm64 = { digest: d(2), platform: { os: 'linux', architecture: 'arm64' } }
  const attestation = {
    digest: d(3),
    platform: { os: 'unknown', architecture: 'unknown' },
    annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': d(1) }
  }
  const bare = { digest: d(4) }
  it.each([
    ['the linux/amd64 manifest, not the attestation listed before it', [attestation, amd64], [d(1)]],
    ['linux/amd64 first, then entries without a platform', [bare, arm64, amd64], [d(1), d(4)]],
    ['nothing of another platform or an attestation', [arm64, attestation], []],
    ['an index.json entry without a platform (Docker 25, classic store)', [bare], [d(4)]]
  ])('%s', (_, entries, digests) => {
    expect(imageManifests(entries)).toEqual(digests)
  })
})

describe('findImageConfig', () => {
  const diffIds = [d(5), d(6)]
  const config = JSON.stringify({ history: [], rootfs: { type: 'layers', diff_ids: diffIds } })
  const attestationConfig = JSON.stringify({ architecture: 'unknown', os: 'unknown', rootfs: { type: 'layers', diff_ids: [d(7)] } })
  const manifest = JSON.stringify({ schemaVersion: 2, config: { digest: digest(config) }, layers: [] })
  const attestation = JSON.stringify({ schemaVersion: 2, config: { digest: digest(attestationConfig) }, layers: [] })
  const index = JSON.stringify({
    manifests: [
      { digest: digest(attestation), annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } },
      { digest: digest(manifest), platform: { os: 'linux', architecture: 'amd64' } }
    ]
  })
  const blobsOf = (...docs: string[]): Map<string, Buffer> => new Map(docs.map(doc => [digest(doc), Buffer.from(doc)]))
  const found = (lookup: ReturnType<typeof findImageConfig>): string => ('config' in lookup ? lookup.config.toString() : lookup.problem)

  it.each([
    ['the image ID is the config (old layout, classic store)', blobsOf(config), new Map(), digest(config), config],
    [
      'the image ID is the index (containerd store), past its attestation',
      blobsOf(config, attestationConfig, manifest, attestation, index),
      new Map(),
      digest(index),
      config
    ],
    [
      'from index.json when the image ID names nothing in the archive',
      blobsOf(config, manifest),
      new Map([['index.json', Buffer.from(JSON.stringify({ manifests: [{ digest: digest(manifest) }] }))]]),
      d(9),
      config
    ],
    [
      "from manifest.json's Config path",
      blobsOf(config),
      new Map([['manifest.json', Buffer.from(JSON.stringify([{ Config: `${digest(config).slice(7)}.json` }]))]]),
      d(9),
      config
    ],
    [
      'an attestation not marked as one is still refused: its config lists other layers',
      blobsOf(attestationConfig, attestation, JSON.stringify({ manifests: [{ digest: digest(attestation) }] })),
      new Map([['index.json', Buffer.from('{}')]]),
      digest(JSON.stringify({ manifests: [{ digest: digest(attestation) }] })),
      'the image config in docker save (OCI layout) lists other layers than the engine reports for the image'
    ],
    ['nothing at all', new Map(), new Map(), d(9), `docker save (unknown layout) holds no image config for ${d(9)}`],
    [
      'a member that is not JSON',
      new Map([[d(9), Buffer.from('{not json')]]),
      new Map(),
      d(9),
      `docker save (unknown layout) holds no image config for ${d(9)}`
    ]
  ])('%s', (_, blobs, files, imageId, expected) => {
    expect(found(findImageConfig({ blobs, files }, imageId, diffIds))).toBe(expected)
  })
})
