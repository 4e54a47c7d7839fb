/**
 * docker save archives made in the test (the three layouts: Docker Engine < 25, the OCI layout of 25+ with the classic
 * store, and the containerd image store's with its nested index and attestation), streamed in small chunks through
 * scanSaveArchive and assembled by assembleImageSecrets: what is scanned, what is skipped, whiteouts, spooling, the
 * image's own config, and the exact findings.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { BUFFER_SIZE, scanFile } from '../../src/secrets/engine.js'
import { assembleImageSecrets, type ConfigBlob } from '../../src/verify/image-scan.js'
import { classifySaveEntry, scanSaveArchive } from '../../src/verify/save-archive.js'
import { checksummed, pemKey } from '../secrets/fixtures.js'
import { chunkReader } from '../../src/secrets/chunk-reader.js'
import { tarOf, type Files } from './support.js'

type Layout = 'legacy' | 'oci' | 'containerd'

/** The rule the scanner's engine gives a value on its own (the rule table is another module's, and grows). */
function ruleOf(value: string): string {
  const bytes = Buffer.from(`value ${value}\n`)
  const found = scanFile(chunkReader([bytes]), Buffer.allocUnsafe(BUFFER_SIZE), bytes.length, { dotenv: false, codeFile: false, dockerfile: false }).findings
  if (found.length !== 1) throw new Error(`expected one finding for the fixture, got ${found.length}`)
  return found[0]?.rule ?? ''
}

const sha = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex')

async function* chunked(data: Buffer, size = 7001): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size)
}

interface Image {
  archive: Buffer
  /** The image ID the engine reports: the config digest, or (containerd store) the image index's digest. */
  imageId: string
  diffIds: string[]
  config: ConfigBlob
  /** The layer blobs' digests as named in the archive (compressed ones for the containerd store). */
  blobs: string[]
  /** Their sizes in the archive. */
  blobSizes: number[]
  /** Their bytes as stored in the archive. */
  payloads: Buffer[]
}

const json = (value: unknown): string => JSON.stringify(value)
const descriptor = (mediaType: string, body: string | Buffer, extra: Record<string, unknown> = {}) => ({
  mediaType,
  digest: `sha256:${sha(body)}`,
  size: Buffer.byteLength(body),
  ...extra
})

/** An image of `layers` (base first) in one of the three docker save layouts. */
async function imageOf(layers: Files[], config: Omit<ConfigBlob, 'rootfs'>, layout: Layout, drop: 'config' | 'none' = 'none'): Promise<Image> {
  const tars = await Promise.all(layers.map(tarOf))
  const diffIds = tars.map(layer => `sha256:${sha(layer)}`)
  const full: ConfigBlob = { ...config, rootfs: { diff_ids: diffIds } }
  const configJson = JSON.stringify(full)
  const configHex = sha(configJson)
  const files: Files = {}
  let blobs = diffIds
  let blobSizes = tars.map(layer => layer.length)
  let payloads = tars
  let imageId = `sha256:${configHex}`
  if (layout === 'containerd') {
    // Docker's containerd image store saves the registry's compressed blobs, named by their own digests, under an
    // index of the image's own (its digest is the image ID): the linux/amd64 manifest and BuildKit's attestation,
    // whose config lists a layer too. The attestation comes first here, and a linux/arm64 manifest whose blobs
    // docker save left out: neither may be taken for the image.
    const compressed = tars.map(layer => gzipSync(layer))
    blobs = compressed.map(blob => `sha256:${sha(blob)}`)
    blobSizes = compressed.map(blob => blob.length)
    payloads = compressed
    const statement = json({ _type: 'https://in-toto.io/Statement/v0.1', predicateType: 'https://slsa.dev/provenance/v0.2' })
    const attestationConfig = json({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [`sha256:${sha(statement)}`] } })
    const attestation = json({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: descriptor('application/vnd.oci.image.config.v1+json', attestationConfig),
      layers: [descriptor('application/vnd.in-toto+json', statement)]
    })
    const manifest = json({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: descriptor('application/vnd.oci.image.config.v1+json', configJson),
      layers: compressed.map(blob => descriptor('application/vnd.oci.image.layer.v1.tar+gzip', blob))
    })
    const index = json({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        descriptor('application/vnd.oci.image.manifest.v1+json', attestation, {
          platform: { architecture: 'unknown', os: 'unknown' },
          annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': `sha256:${sha(manifest)}` }
        }),
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: `sha256:${'0'.repeat(64)}`,
          size: 500,
          platform: { architecture: 'arm64', os: 'linux' }
        },
        descriptor('application/vnd.oci.image.manifest.v1+json', manifest, { platform: { architecture: 'amd64', os: 'linux' } })
      ]
    })
    imageId = `sha256:${sha(index)}`
    files['oci-layout'] = '{"imageLayoutVersion":"1.0.0"}'
    for (const blob of compressed) files[`blobs/sha256/${sha(blob)}`] = blob
    for (const doc of [configJson, attestationConfig, statement, attestation, manifest, index]) files[`blobs/sha256/${sha(doc)}`] = doc
    files['index.json'] = json({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [descriptor('application/vnd.oci.image.index.v1+json', index, { annotations: { 'org.opencontainers.image.ref.name': '1' } })]
    })
    files['manifest.json'] = json([{ Config: `blobs/sha256/${configHex}`, Layers: blobs.map(blob => `blobs/sha256/${blob.slice(7)}`) }])
  } else if (layout === 'oci') {
    files['oci-layout'] = '{"imageLayoutVersion":"1.0.0"}'
    // Names sort the base's layer anywhere: the scan must go by name, not by position.
    for (const layer of [...tars].reverse()) files[`blobs/sha256/${sha(layer)}`] = layer
    files[`blobs/sha256/${configHex}`] = configJson
    const manifest = json({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: descriptor('application/vnd.oci.image.config.v1+json', configJson),
      layers: tars.map(layer => descriptor('application/vnd.oci.image.layer.v1.tar', layer))
    })
    files[`blobs/sha256/${sha(manifest)}`] = manifest
    files['index.json'] = json({ schemaVersion: 2, manifests: [descriptor('application/vnd.oci.image.manifest.v1+json', manifest)] })
    files['manifest.json'] = JSON.stringify([{ Config: `blobs/sha256/${configHex}`, Layers: tars.map(layer => `blobs/sha256/${sha(layer)}`) }])
  } else {
    // Folder names are v1 ids, unrelated to the content: sorted here in reverse of the layer order.
    tars.forEach((layer, index) => {
      const dir = sha(`v1-${tars.length - index}`)
      files[`${dir}/VERSION`] = '1.0'
      files[`${dir}/json`] = '{}'
      files[`${dir}/layer.tar`] = layer
    })
    files[`${configHex}.json`] = configJson
    files['manifest.json'] = JSON.stringify([{ Config: `${configHex}.json`, Layers: [] }])
  }
  if (drop === 'config') {
    delete files[`blobs/sha256/${configHex}`]
    delete files[`${configHex}.json`]
  }
  const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : 1)))
  return { archive: await tarOf(sorted), imageId, diffIds, config: full, blobs, blobSizes, payloads }
}

let spool = ''
beforeEach(() => {
  spool = mkdtempSync(path.join(tmpdir(), 'verify-archive-'))
})
afterEach(() => rmSync(spool, { recursive: true, force: true }))

describe('classifySaveEntry', () => {
  const hex = 'ab'.repeat(32)
  it.each([
    [`blobs/sha256/${hex}`, { kind: 'blob', digest: `sha256:${hex}` }],
    [`./blobs/sha256/${hex}`, { kind: 'blob', digest: `sha256:${hex}` }],
    [`${hex}/layer.tar`, { kind: 'legacy-layer' }],
    [`${hex}.json`, { kind: 'legacy-config', digest: `sha256:${hex}` }],
    [`${hex}/json`, { kind: 'other' }],
    ['manifest.json', { kind: 'other' }],
    ['blobs/sha256/short', { kind: 'other' }]
  ])('%s', (name, kind) => expect(classifySaveEntry(name)).toEqual(kind))
})

describe.each(['legacy', 'oci', 'containerd'] as const)('a docker save archive, %s layout', layout => {
  const npmToken = checksummed('npm_')
  const ghToken = checksummed('ghp_')
  const baseToken = checksummed('ghp_')
  const key = pemKey('ec')
  const history = [
    { created_by: 'base' },
    { created_by: 'ENTRYPOINT ["tini"]', empty_layer: true },
    { created_by: `RUN |1 NPM_TOKEN=${npmToken} /bin/sh -c echo "//r/:_authToken=$NPM_TOKEN" > /root/.npmrc # buildkit` },
    { created_by: 'COPY deploy_key /root/.ssh/id_ed25519 # buildkit' },
    { created_by: 'RUN /bin/sh -c rm /root/.ssh/id_ed25519 # buildkit' },
    { created_by: `ENV GITHUB_TOKEN=${ghToken}`, empty_layer: true },
    { created_by: 'RUN /bin/sh -c true # buildkit' }
  ]
  const layers: Files[] = [
    // The base: a token here is OpenHands' business, never reported.
    { 'srv/base-token.txt': `token=${baseToken}\n`, 'usr/bin/tool': Buffer.alloc(100) },
    {
      'root/.npmrc': `//r/:_authToken=${npmToken}\n`,
      // Binary: a NUL in the first 8000 bytes; the token after it is not read, as in the context scan.
      'opt/blob.bin': Buffer.concat([Buffer.alloc(10), Buffer.from(`x ${checksummed('ghp_')} x`)]),
      // Bigger than spoolAt: scanned from a temp file, the token near its end still found.
      'opt/big.log': `${'log line without secrets\n'.repeat(4000)}github ${ghToken}\n`
    },
    { 'root/.ssh/id_ed25519': key },
    { 'root/.ssh/.wh.id_ed25519': '' },
    // A RUN that changed nothing: an empty layer tar, which must still count as read.
    {}
  ]
  const config = {
    config: { Env: ['PATH=/usr/bin', `GITHUB_TOKEN=${ghToken}`], Labels: { 'org.opencontainers.image.version': '1.23.0' } },
    history
  }
  const base = { layers: 1, env: ['PATH=/usr/bin'], labels: {} }

  it('scans the custom layers and the config, skips the base, and names path, layer and instruction', async () => {
    const image = await imageOf(layers, config, layout)
    const archive = await scanSaveArchive(chunked(image.archive), {
      imageId: image.imageId,
      diffIds: image.diffIds,
      baseLayers: 1,
      baseBlobs: new Set(image.blobs.slice(0, 1)),
      spoolDir: spool,
      spoolAt: 64 * 1024,
      estimateCompressed: true
    })
    expect(archive.skippedBase).toBe(1)
    if (layout === 'containerd') {
      // Compressed blobs: the compressed size is exact.
      expect(archive.compressed.get(1)).toBe(image.blobSizes[1])
    }
    expect([...archive.layers.keys()].sort()).toEqual([1, 2, 3, 4])
    expect(archive.config?.toString()).toBe(JSON.stringify(image.config))
    expect(archive.layers.get(1)).toMatchObject({ files: 2, binary: 1 })
    expect(archive.layers.get(3)?.whiteouts).toEqual([{ kind: 'file', path: '/root/.ssh/id_ed25519' }])
    // Uncompressed sizes are the layer tars' (tarOf pads to the same length whatever the mtime); the gzip estimate is smaller for text.
    expect(archive.sizes.get(1)).toBe((await tarOf(layers[1] as Files)).length)
    expect(archive.compressed.get(1)).toBeGreaterThan(0)
    expect(archive.compressed.get(1)).toBeLessThan(archive.sizes.get(1) ?? 0)
    expect(readdirSync(spool)).toEqual([])

    const secrets = assembleImageSecrets(archive, image.config, base, new Set())
    // The last column: the history entry each finding is placed by (the Dockerfile line), the same in every layout.
    const rows = secrets.findings.map(f => [f.source, f.where, f.layer, f.rule, f.instruction, f.deletedBy?.layer, f.step])
    expect(rows).toEqual([
      ['env', 'Env GITHUB_TOKEN', undefined, ruleOf(ghToken), 'ENV GITHUB_TOKEN=…', undefined, undefined],
      ['history', 'history', undefined, ruleOf(ghToken), 'ENV GITHUB_TOKEN=…', undefined, 5],
      ['layer', '/opt/big.log', 2, ruleOf(ghToken), 'RUN echo "//r/:_authToken=$NPM_TOKEN" > /root/.npmrc (with build args NPM_TOKEN)', undefined, 2],
      ['layer', '/root/.npmrc', 2, ruleOf(npmToken), 'RUN echo "//r/:_authToken=$NPM_TOKEN" > /root/.npmrc (with build args NPM_TOKEN)', undefined, 2],
      ['history', 'history', 2, ruleOf(npmToken), 'RUN echo "//r/:_authToken=$NPM_TOKEN" > /root/.npmrc (with build args NPM_TOKEN)', undefined, 2],
      ['layer', '/root/.ssh/id_ed25519', 3, ruleOf(key), 'COPY deploy_key /root/.ssh/id_ed25519', 4, 3]
    ])
    const text = JSON.stringify(secrets)
    for (const value of [npmToken, ghToken, baseToken]) expect(text).not.toContain(value)
    expect(secrets.findings.find(f => f.where === '/root/.npmrc')?.fingerprint).toMatch(new RegExp(`^image:/root/\\.npmrc:${ruleOf(npmToken)}:[0-9a-f]{16}$`))
    expect(secrets.layersScanned).toBe(4)
  })

  it('says the config is missing when the archive lacks it, rather than scan a config it never read', async () => {
    const image = await imageOf(layers, config, layout, 'config')
    const archive = await scanSaveArchive(chunked(image.archive), { imageId: image.imageId, diffIds: image.diffIds, baseLayers: 1, spoolDir: spool })
    expect(archive.config).toBeUndefined()
    expect(archive.configProblem).toMatch(/^docker save \((OCI layout|docker save layout before Docker 25)\) holds no image config for sha256:[0-9a-f]{64}$/)
    expect(archive.layers.size).toBe(4)
  })

  it('says so when the config found lists other layers than the engine reports', async () => {
    const image = await imageOf(layers, config, layout)
    const archive = await scanSaveArchive(chunked(image.archive), {
      imageId: image.imageId,
      diffIds: [...image.diffIds.slice(0, -1), `sha256:${'f'.repeat(64)}`],
      baseLayers: 1,
      spoolDir: spool
    })
    expect(archive.config).toBeUndefined()
    expect(archive.configProblem).toMatch(/lists other layers than the engine reports for the image$/)
  })

  it('drops what the ignore file lists, by fingerprint', async () => {
    const image = await imageOf(layers, config, layout)
    const scan = (): ReturnType<typeof scanSaveArchive> =>
      scanSaveArchive(chunked(image.archive), { imageId: image.imageId, diffIds: image.diffIds, baseLayers: 1, spoolDir: spool })
    const first = assembleImageSecrets(await scan(), image.config, base, new Set())
    const ignored = new Set(first.findings.filter(f => f.source === 'layer').map(f => f.fingerprint))
    const second = assembleImageSecrets(await scan(), image.config, base, ignored)
    expect(second.findings.map(f => f.source)).toEqual(['env', 'history', 'history'])
    expect(second.suppressed).toBe(3)
  })

  it('counts documented examples instead of reporting them, as the context scan does', async () => {
    const shown = checksummed('ghp_')
    const withDocs = [
      ...layers.slice(0, 2),
      { ...(layers[2] as Files), 'usr/share/doc/tool/README.md': `# Configure it\n# e.g. token: ${shown}\n` },
      ...layers.slice(3)
    ]
    const image = await imageOf(withDocs, config, layout)
    const archive = await scanSaveArchive(chunked(image.archive), { imageId: image.imageId, diffIds: image.diffIds, baseLayers: 1, spoolDir: spool })
    const secrets = assembleImageSecrets(archive, image.config, base, new Set())
    expect(secrets.examples).toBe(1)
    expect(secrets.findings.some(f => f.where === '/usr/share/doc/tool/README.md')).toBe(false)
    expect(JSON.stringify(secrets)).not.toContain(shown)
  })

  it('scans every layer when the base is unknown, the base token included', async () => {
    const image = await imageOf(layers, config, layout)
    const archive = await scanSaveArchive(chunked(image.archive), { imageId: image.imageId, diffIds: image.diffIds, baseLayers: 0, spoolDir: spool })
    expect(archive.skippedBase).toBe(0)
    const secrets = assembleImageSecrets(archive, image.config, { layers: 0, env: [], labels: {} }, new Set())
    expect(secrets.findings.filter(f => f.where === '/srv/base-token.txt').map(f => [f.layer, f.instruction])).toEqual([[1, 'base']])
  })

  it('fails when the archive is cut short inside a custom layer', async () => {
    const image = await imageOf(layers, config, layout)
    const payload = image.payloads[1] as Buffer
    const at = image.archive.indexOf(payload)
    expect(at).toBeGreaterThan(0)
    const cut = image.archive.subarray(0, at + Math.floor(payload.length / 2))
    await expect(scanSaveArchive(chunked(cut), { imageId: image.imageId, diffIds: image.diffIds, baseLayers: 1, spoolDir: spool })).rejects.toThrow()
  })
})

describe.each(['legacy', 'oci', 'containerd'] as const)('the entries the sandbox checks read, %s layout', layout => {
  const passwd = 'root:x:0:0:root:/root:/bin/sh\nopenhands:x:10001:10001:openhands:/home/openhands:/bin/sh\n'
  const layers: Files[] = [
    { 'etc/passwd': passwd, 'usr/bin/tool': 'base\n' },
    { 'workspace/project/a.txt': 'a\n', 'home/openhands/.cache/x': 'x\n', 'opt/seed/b.txt': 'b\n', 'tmp/t': 't\n' },
    { 'etc/passwd': `${passwd}agent:x:20000:20000::/srv/agent:/bin/sh\n` }
  ]

  it('keeps the entries under the watched folders with their owners, and each /etc/passwd it reads', async () => {
    const image = await imageOf(layers, { history: [{ created_by: 'base' }, { created_by: 'COPY . /' }, { created_by: 'COPY passwd /etc/' }] }, layout)
    const archive = await scanSaveArchive(chunked(image.archive), {
      imageId: image.imageId,
      diffIds: image.diffIds,
      baseLayers: 1,
      baseBlobs: new Set(image.blobs.slice(0, 1)),
      spoolDir: spool
    })
    expect(archive.layers.get(1)?.entries?.map(entry => [entry.path, entry.kind, entry.uid, entry.mode & 0o777])).toEqual([
      ['/workspace/project/a.txt', 'file', 0, 0o644],
      ['/home/openhands/.cache/x', 'file', 0, 0o644],
      ['/tmp/t', 'file', 0, 0o644]
    ])
    expect(archive.layers.get(1)?.passwd).toBeUndefined()
    expect(archive.layers.get(2)?.passwd).toBe(`${passwd}agent:x:20000:20000::/srv/agent:/bin/sh\n`)
    // The old layout reads every layer (the base's too): its /etc/passwd is kept. The others skip the base unread.
    expect(archive.basePasswd).toEqual(layout === 'legacy' ? { layer: 0, text: passwd } : undefined)
  })
})
