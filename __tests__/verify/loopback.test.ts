/**
 * The loopback registry, pushed to by a real HTTP client as an engine pushes (monolithic and chunked uploads, HEAD
 * of the base's blobs, cross-repository mounts, manifests by tag and digest, refused digests), and the reading of
 * what arrived (blobReader, assemble): which layers are scanned, their diff_ids, what a missing or odd blob does.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import type { DockerCommand } from '../../src/buildx/docker.js'
import { assemble, blobReader, LoopbackUnreachable, scanThroughLoopback, type BlobRead } from '../../src/verify/loopback-export.js'
import { startLoopbackRegistry, type LoopbackRegistry } from '../../src/verify/loopback-registry.js'
import { checksummed } from '../secrets/fixtures.js'
import { tarOf } from './support.js'

const digestOf = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`
const BASE_BLOB = digestOf('a base layer, never sent')

let registry: LoopbackRegistry<Buffer>
let url: (rest: string) => string

beforeEach(async () => {
  registry = await startLoopbackRegistry<Buffer>({
    known: new Map([[BASE_BLOB, 1234]]),
    receive: async bytes => {
      const chunks: Buffer[] = []
      for await (const chunk of bytes) chunks.push(chunk)
      return Buffer.concat(chunks)
    }
  })
  url = rest => `http://${registry.host}/v2/${registry.repository}/${rest}`
})
afterEach(() => registry.close())

async function startUpload(): Promise<string> {
  const res = await fetch(url('blobs/uploads/'), { method: 'POST' })
  expect(res.status).toBe(202)
  return `http://${registry.host}${res.headers.get('location') ?? ''}`
}

describe('loopback registry', () => {
  test('GET /v2/ answers 200 without auth, and the host is on 127.0.0.1', async () => {
    expect(registry.host).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(registry.repository).toMatch(/^ohe-verify\/[0-9a-f]{16}$/)
    const res = await fetch(`http://${registry.host}/v2/`)
    expect(res.status).toBe(200)
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0')
  })

  test('a monolithic upload (POST with the digest) is received whole and then present', async () => {
    const body = Buffer.from('monolithic blob')
    const res = await fetch(url(`blobs/uploads/?digest=${encodeURIComponent(digestOf(body))}`), { method: 'POST', body })
    expect(res.status).toBe(201)
    expect(res.headers.get('docker-content-digest')).toBe(digestOf(body))
    expect(registry.blobs.get(digestOf(body))?.result.toString()).toBe('monolithic blob')
    const head = await fetch(url(`blobs/${digestOf(body)}`), { method: 'HEAD' })
    expect([head.status, head.headers.get('content-length')]).toEqual([200, String(body.length)])
  })

  test('a chunked upload (POST, PATCH, PATCH, PUT with a last chunk) reaches the reader in order', async () => {
    const parts = ['first chunk, ', 'second chunk, ', 'last chunk'].map(text => Buffer.from(text))
    const whole = Buffer.concat(parts)
    const location = await startUpload()
    let sent = 0
    for (const part of parts.slice(0, 2)) {
      const res = await fetch(location, { method: 'PATCH', body: part, headers: { 'Content-Type': 'application/octet-stream' } })
      sent += part.length
      expect([res.status, res.headers.get('range')]).toEqual([202, `0-${sent - 1}`])
    }
    const done = await fetch(`${location}?digest=${encodeURIComponent(digestOf(whole))}`, { method: 'PUT', body: parts[2] })
    expect(done.status).toBe(201)
    expect(registry.blobs.get(digestOf(whole))).toEqual({ digest: digestOf(whole), size: whole.length, result: whole })
  })

  test("the base's blobs are present without being sent: HEAD and a cross-repository mount", async () => {
    const head = await fetch(url(`blobs/${BASE_BLOB}`), { method: 'HEAD' })
    expect([head.status, head.headers.get('content-length'), head.headers.get('docker-content-digest')]).toEqual([200, '1234', BASE_BLOB])
    const mount = await fetch(url(`blobs/uploads/?mount=${encodeURIComponent(BASE_BLOB)}&from=library/base`), { method: 'POST' })
    expect([mount.status, mount.headers.get('docker-content-digest')]).toEqual([201, BASE_BLOB])
    expect(registry.blobs.size).toBe(0)
  })

  test('an unknown blob is absent, and mounting it opens an upload instead', async () => {
    const other = digestOf('not the base')
    expect((await fetch(url(`blobs/${other}`), { method: 'HEAD' })).status).toBe(404)
    const mount = await fetch(url(`blobs/uploads/?mount=${encodeURIComponent(other)}&from=library/base`), { method: 'POST' })
    expect(mount.status).toBe(202)
    expect(mount.headers.get('location')).toMatch(new RegExp(`^/v2/${registry.repository}/blobs/uploads/[0-9a-f]{32}$`))
  })

  test('an upload whose bytes are not the named digest is refused and not kept', async () => {
    const location = await startUpload()
    const claimed = digestOf('something else')
    const res = await fetch(`${location}?digest=${encodeURIComponent(claimed)}`, { method: 'PUT', body: Buffer.from('the real bytes') })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe('DIGEST_INVALID')
    expect(registry.blobs.size).toBe(0)
    expect((await fetch(url(`blobs/${claimed}`), { method: 'HEAD' })).status).toBe(404)
  })

  test('a manifest is stored by tag and by digest; one naming an unknown blob, or put under another digest, is refused', async () => {
    const config = Buffer.from('{"rootfs":{"diff_ids":[]}}')
    await fetch(url(`blobs/uploads/?digest=${encodeURIComponent(digestOf(config))}`), { method: 'POST', body: config })
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, config: { digest: digestOf(config) }, layers: [{ digest: BASE_BLOB }] }))
    const type = 'application/vnd.oci.image.manifest.v1+json'
    const put = await fetch(url('manifests/v1'), { method: 'PUT', body: manifest, headers: { 'Content-Type': type } })
    expect([put.status, put.headers.get('docker-content-digest')]).toEqual([201, digestOf(manifest)])
    for (const reference of ['v1', digestOf(manifest)]) {
      const got = await fetch(url(`manifests/${reference}`))
      expect([got.status, got.headers.get('content-type'), Buffer.from(await got.arrayBuffer()).equals(manifest)]).toEqual([200, type, true])
      expect((await fetch(url(`manifests/${reference}`), { method: 'HEAD' })).headers.get('docker-content-digest')).toBe(digestOf(manifest))
    }
    expect(registry.manifest('v1')?.body.equals(manifest)).toBe(true)

    const unknown = Buffer.from(JSON.stringify({ schemaVersion: 2, config: { digest: digestOf(config) }, layers: [{ digest: digestOf('never sent') }] }))
    const refused = await fetch(url('manifests/v2'), { method: 'PUT', body: unknown, headers: { 'Content-Type': type } })
    expect(refused.status).toBe(400)
    const wrong = await fetch(url(`manifests/${digestOf('another manifest')}`), { method: 'PUT', body: manifest, headers: { 'Content-Type': type } })
    expect(wrong.status).toBe(400)
    expect((await fetch(url('manifests/v2'))).status).toBe(404)
  })

  test('another repository is unknown', async () => {
    const res = await fetch(`http://${registry.host}/v2/library/other/blobs/${BASE_BLOB}`, { method: 'HEAD' })
    expect(res.status).toBe(404)
  })
})

describe('reading what the engine pushed', () => {
  let spool: string
  beforeAll(() => {
    spool = mkdtempSync(path.join(tmpdir(), 'loopback-test-'))
  })
  afterAll(() => rmSync(spool, { recursive: true, force: true }))

  async function* chunks(data: Buffer, size = 5003): AsyncGenerator<Buffer> {
    for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size)
  }

  test('a gzip layer and a raw tar layer are scanned and hashed to their diff_ids; the config is kept', async () => {
    const token = checksummed('ghp_')
    const tar = await tarOf({ 'root/.env': `GITHUB_TOKEN=${token}\n`, 'opt/app/readme.txt': 'hello\n' })
    const read = blobReader({ spoolDir: spool })
    const gz = await read(chunks(gzipSync(tar)))
    const raw = await read(chunks(tar))
    for (const blob of [gz, raw]) {
      if (blob.kind !== 'layer') throw new Error(`read as ${blob.kind}`)
      expect(blob.diffId).toBe(digestOf(tar))
      expect(blob.uncompressed).toBe(tar.length)
      expect(blob.scan.findings.map(finding => [finding.path, finding.finding.value])).toEqual([['/root/.env', token]])
    }
    expect(gz.kind === 'layer' && gz.compressed).toBe(gzipSync(tar).length)
    expect(await read(chunks(Buffer.from('{"rootfs":{}}')))).toEqual({ kind: 'json', bytes: Buffer.from('{"rootfs":{}}') })
  })

  test('assemble: the manifest orders the layers; an unsent layer is the base, a hash other than the config says is an error', async () => {
    const tar = await tarOf({ 'opt/a.txt': 'a\n' })
    const read = blobReader({ spoolDir: spool })
    const layer = (await read(chunks(gzipSync(tar)))) as BlobRead
    const baseId = digestOf('base tar')
    const config = Buffer.from(JSON.stringify({ rootfs: { diff_ids: [baseId, digestOf(tar)] } }))
    const blobs = new Map<string, { size: number; result: BlobRead }>([
      ['sha256:config', { size: config.length, result: { kind: 'json', bytes: config } }],
      ['sha256:custom', { size: 40, result: layer }]
    ])
    const manifest = (layers: string[]): Buffer =>
      Buffer.from(JSON.stringify({ config: { digest: 'sha256:config' }, layers: layers.map(digest => ({ digest })) }))
    const index = Buffer.from(
      JSON.stringify({
        manifests: [
          { digest: 'sha256:att', platform: { os: 'unknown', architecture: 'unknown' } },
          { digest: 'sha256:img', platform: { os: 'linux', architecture: 'amd64' } }
        ]
      })
    )
    const stored = new Map([
      ['t', index],
      ['sha256:img', manifest([BASE_BLOB, 'sha256:custom'])]
    ])
    const scanned = assemble(reference => stored.get(reference), 't', blobs)
    expect([scanned.diffIds, [...scanned.layers.keys()], scanned.skippedBase, [...scanned.notSent], scanned.sizes.get(1), scanned.blobsSent]).toEqual([
      [baseId, digestOf(tar)],
      [1],
      1,
      [0],
      tar.length,
      2
    ])
    const swapped = new Map([['t', manifest(['sha256:custom', BASE_BLOB])]])
    expect(() => assemble(reference => swapped.get(reference), 't', blobs)).toThrow(`layer 1 hashes to ${digestOf(tar)}, its config says ${baseId}`)
    expect(() => assemble(() => undefined, 't', blobs)).toThrow('the engine pushed no manifest t to the loopback registry')
  })
})

describe('scanThroughLoopback', () => {
  let spool: string
  beforeAll(() => {
    spool = mkdtempSync(path.join(tmpdir(), 'loopback-push-'))
  })
  afterAll(() => rmSync(spool, { recursive: true, force: true }))

  const ok = { exitCode: 0, stderr: [], stdout: '' }

  /** A fake engine whose `docker push` pushes as dockerd does: HEAD each layer, chunked uploads of the missing ones, then the manifest. */
  function engine(layers: Buffer[], config: Buffer, baseBlob: { digest: string; size: number }): { docker: DockerCommand; calls: string[][] } {
    const calls: string[][] = []
    const docker: DockerCommand = async args => {
      calls.push(args)
      if (args[0] !== 'push') return ok
      const [host, ...rest] = (args[1] ?? '').split('/')
      const [repository, tag] = rest.join('/').split(':') as [string, string]
      const v2 = `http://${host}/v2/${repository}`
      for (const blob of [...layers, config]) {
        const digest = digestOf(blob)
        if ((await fetch(`${v2}/blobs/${digest}`, { method: 'HEAD' })).status === 200) continue
        const start = await fetch(`${v2}/blobs/uploads/`, { method: 'POST' })
        const location = `http://${host}${start.headers.get('location') ?? ''}`
        for (let at = 0; at < blob.length; at += 4096) await fetch(location, { method: 'PATCH', body: blob.subarray(at, at + 4096) })
        await fetch(`${location}?digest=${encodeURIComponent(digest)}`, { method: 'PUT' })
      }
      expect((await fetch(`${v2}/blobs/${baseBlob.digest}`, { method: 'HEAD' })).status).toBe(200)
      const manifest = JSON.stringify({
        schemaVersion: 2,
        config: { digest: digestOf(config), size: config.length },
        layers: [baseBlob, ...layers.map(layer => ({ digest: digestOf(layer), size: layer.length }))]
      })
      const put = await fetch(`${v2}/manifests/${tag}`, {
        method: 'PUT',
        body: manifest,
        headers: { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' }
      })
      return put.status === 201 ? ok : { exitCode: 1, stderr: [`manifest refused: ${put.status}`], stdout: '' }
    }
    return { docker, calls }
  }

  test('only the added layer and the config cross; the base blob is answered as present; the tag is removed after', async () => {
    const token = checksummed('ghp_')
    const tar = await tarOf({ 'root/.env': `GITHUB_TOKEN=${token}\n` })
    const layer = gzipSync(tar)
    const baseId = digestOf('base tar')
    const config = Buffer.from(JSON.stringify({ rootfs: { type: 'layers', diff_ids: [baseId, digestOf(tar)] } }))
    const baseBlob = { digest: digestOf('base gzip'), size: 999 }
    const { docker, calls } = engine([layer], config, baseBlob)
    const scanned = await scanThroughLoopback('ohe-sandbox-verify:abc', { baseBlobs: new Map([[baseBlob.digest, baseBlob.size]]), spoolDir: spool }, docker)
    expect(scanned.diffIds).toEqual([baseId, digestOf(tar)])
    expect([scanned.skippedBase, scanned.blobsSent, scanned.bytesRead, scanned.config?.equals(config)]).toEqual([1, 2, layer.length + config.length, true])
    expect(scanned.layers.get(1)?.findings.map(finding => finding.path)).toEqual(['/root/.env'])
    expect(scanned.compressed.get(1)).toBe(layer.length)
    const pushed = calls.find(args => args[0] === 'push')?.[1] ?? ''
    expect(pushed).toMatch(/^127\.0\.0\.1:\d+\/ohe-verify\/[0-9a-f]{16}:verify$/)
    expect(calls.map(args => args.slice(0, 2))).toEqual([
      ['tag', 'ohe-sandbox-verify:abc'],
      ['push', pushed],
      ['image', 'rm']
    ])
  })

  test("the tag is made while the base's blobs are still read, the push waits for them; a deferred removal ends after the read", async () => {
    const tar = await tarOf({ 'opt/app/a.txt': 'hello\n' })
    const layer = gzipSync(tar)
    const baseId = digestOf('base tar')
    const config = Buffer.from(JSON.stringify({ rootfs: { type: 'layers', diff_ids: [baseId, digestOf(tar)] } }))
    const baseBlob = { digest: digestOf('base gzip'), size: 999 }
    const { docker: fake, calls } = engine([layer], config, baseBlob)
    let releaseBase: (blobs: ReadonlyMap<string, number>) => void = () => undefined
    const baseBlobs = new Promise<ReadonlyMap<string, number>>(resolve => (releaseBase = resolve))
    let releaseRm: () => void = () => undefined
    const rmHeld = new Promise<void>(resolve => (releaseRm = resolve))
    const docker: DockerCommand = async (args, options) => {
      if (args[0] === 'tag') setImmediate(() => releaseBase(new Map([[baseBlob.digest, baseBlob.size]])))
      if (args[0] === 'push') expect(calls.map(call => call[0])).toEqual(['tag'])
      const result = await fake(args, options)
      if (args[0] === 'image') await rmHeld
      return result
    }
    const removals: Array<Promise<void>> = []
    const scanned = await scanThroughLoopback('img', { baseBlobs, spoolDir: spool, deferRemoval: removed => removals.push(removed) }, docker)
    // The base blob was answered as present (the fake engine checks it), so only the layer and the config crossed.
    expect([scanned.skippedBase, scanned.blobsSent]).toEqual([1, 2])
    expect(removals).toHaveLength(1)
    let removed = false
    void removals[0]?.then(() => (removed = true))
    await new Promise(resolve => setImmediate(resolve))
    expect(removed).toBe(false)
    releaseRm()
    await Promise.all(removals)
    expect(calls.map(args => args[0])).toEqual(['tag', 'push', 'image'])
  })

  test('a base read that fails while the tag is made fails the read, and the tag is still removed once made', async () => {
    const calls: string[][] = []
    let tagged: () => void = () => undefined
    const docker: DockerCommand = async args => {
      calls.push(args)
      if (args[0] === 'tag') await new Promise<void>(resolve => (tagged = resolve))
      return ok
    }
    const baseBlobs = Promise.reject(new Error('registry down'))
    const reading = scanThroughLoopback('img', { baseBlobs, spoolDir: spool }, docker)
    reading.catch(() => undefined)
    await new Promise(resolve => setTimeout(resolve, 10))
    // No removal while the tag command runs: it would find nothing to remove.
    expect(calls.map(args => args[0])).toEqual(['tag'])
    tagged()
    await expect(reading).rejects.toThrow('registry down')
    expect(calls.map(args => args.slice(0, 2))).toEqual([
      ['tag', 'img'],
      ['image', 'rm']
    ])
  })

  test('an engine that cannot reach the loopback is told apart, for the fallback to docker save', async () => {
    const docker: DockerCommand = async args =>
      args[0] === 'push' ? { exitCode: 1, stderr: ['Get "http://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused'], stdout: '' } : ok
    await expect(scanThroughLoopback('img', { baseBlobs: new Map(), spoolDir: spool }, docker)).rejects.toThrow(LoopbackUnreachable)
  })
})
