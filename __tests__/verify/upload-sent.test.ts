/**
 * The push of what the engine sent (issue 16): planUpload's order (every blob once, an index's children before the
 * index) by a table of exact results, and uploadSent against an in-memory registry: blobs the registry has are
 * skipped, the kept ones uploaded from their files, the base's mounted in the same registry or copied from the
 * base's otherwise; each tag gets the sent manifest; transfers failing on the way are tried again, refusals are not.
 */
import { jest } from '@jest/globals'
import { Buffer } from 'node:buffer'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { BlobDescriptor, BlobSource, RegistryClient, TransferOptions } from '../../src/registry/client.js'
import { RegistryError } from '../../src/registry/errors.js'
import type { RunRegistries } from '../../src/registry/for-inputs.js'
import type { SentImage, SentManifest } from '../../src/verify/loopback-export.js'
import { planUpload, uploadSent } from '../../src/verify/upload-sent.js'

const digestOf = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'

function manifest(value: unknown, mediaType = OCI_MANIFEST): SentManifest {
  const body = Buffer.from(JSON.stringify(value))
  return { digest: digestOf(body), mediaType, body }
}

const d = (n: number): string => `sha256:${String(n).repeat(64).slice(0, 64)}`
const image = (config: number, layers: number[]) => ({
  schemaVersion: 2,
  config: { digest: d(config), size: config * 10 },
  layers: layers.map(n => ({ digest: d(n), size: n * 10 }))
})
const blob = (n: number): BlobDescriptor => ({ digest: d(n), size: n * 10 })

describe('planUpload', () => {
  const single = manifest(image(1, [2, 3]))
  const child = manifest(image(1, [2, 3]))
  const attestation = manifest(image(4, [5]))
  const index = manifest({ schemaVersion: 2, manifests: [{ digest: child.digest }, { digest: attestation.digest }] }, OCI_INDEX)
  const shared = manifest(image(6, [2]))
  const indexShared = manifest({ schemaVersion: 2, manifests: [{ digest: child.digest }, { digest: shared.digest }] }, OCI_INDEX)
  const byDigest = new Map([child, attestation, shared].map(m => [m.digest, m]))
  const sent = (top: SentManifest) => ({ top, manifest: (digest: string) => byDigest.get(digest) })

  test.each([
    ['an image manifest: its config and layers', single, { blobs: [blob(1), blob(2), blob(3)], children: [], top: single }],
    [
      'an index: the children’s blobs, children before it',
      index,
      { blobs: [blob(1), blob(2), blob(3), blob(4), blob(5)], children: [child, attestation], top: index }
    ],
    ['a blob two children share goes once', indexShared, { blobs: [blob(1), blob(2), blob(3), blob(6)], children: [child, shared], top: indexShared }]
  ])('%s', (_what, top, expected) => {
    expect(planUpload(sent(top))).toEqual(expected)
  })

  test.each([
    ['a child the engine did not send', manifest({ manifests: [{ digest: d(9) }] }, OCI_INDEX), `names a manifest the engine did not send (${d(9)})`],
    [
      'a layer without its size',
      manifest({ config: { digest: d(1), size: 1 }, layers: [{ digest: d(2) }] }),
      'a sent manifest has a blob without digest or size'
    ]
  ])('%s is an error', (_what, top, message) => {
    expect(() => planUpload(sent(top))).toThrow(message)
  })
})

/** An in-memory registry per host: blobs and manifests by repository, every call recorded. */
class MemoryRegistry implements Pick<RegistryClient, 'hasBlob' | 'openBlob' | 'pushBlob' | 'putManifest'> {
  readonly blobs = new Map<string, Buffer>()
  readonly manifests = new Map<string, Buffer>()
  readonly calls: string[] = []
  /** Thrown by the next pushBlob calls, in order. */
  readonly failures: RegistryError[] = []

  constructor(readonly registry: string) {}

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    return this.blobs.has(`${repository}@${digest}`)
  }

  async openBlob(repository: string, blob: BlobDescriptor, _transfer: TransferOptions): Promise<ReadableStream<Uint8Array>> {
    this.calls.push(`open ${repository}@${blob.digest.slice(7, 11)}`)
    return new Blob([this.blobs.get(`${repository}@${blob.digest}`) ?? Buffer.alloc(0)]).stream()
  }

  async pushBlob(
    repository: string,
    blob: BlobDescriptor,
    source: BlobSource,
    transfer: TransferOptions & { mountFrom?: string }
  ): Promise<'mounted' | 'uploaded'> {
    this.calls.push(`push ${repository}@${blob.digest.slice(7, 11)}${transfer.mountFrom ? ` from ${transfer.mountFrom}` : ''}`)
    const failure = this.failures.shift()
    if (failure) throw failure
    const mounted = transfer.mountFrom && this.blobs.get(`${transfer.mountFrom}@${blob.digest}`)
    if (mounted) {
      this.blobs.set(`${repository}@${blob.digest}`, mounted)
      return 'mounted'
    }
    const bytes = Buffer.from(await new Response(await source()).arrayBuffer())
    if (digestOf(bytes) !== blob.digest || bytes.length !== blob.size) throw new RegistryError('digest mismatch', 'protocol', this.registry)
    this.blobs.set(`${repository}@${blob.digest}`, bytes)
    return 'uploaded'
  }

  async putManifest(repository: string, reference: string, _mediaType: string, body: Uint8Array): Promise<string> {
    this.calls.push(`manifest ${repository}:${reference.slice(0, 11)}`)
    this.manifests.set(`${repository}:${reference}`, Buffer.from(body))
    return digestOf(Buffer.from(body))
  }
}

function registriesOf(...registries: MemoryRegistry[]): RunRegistries {
  return { client: (host: string) => registries.find(r => r.registry === host) as unknown as RegistryClient }
}

describe('uploadSent', () => {
  let dir: string
  let sent: SentImage
  let baseLayer: Buffer
  let kept: Map<string, Buffer>

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'upload-sent-'))
    baseLayer = Buffer.from('base layer bytes')
    const layer = Buffer.from('the added layer, as scanned')
    const config = Buffer.from('{"rootfs":{}}')
    kept = new Map([layer, config].map(bytes => [digestOf(bytes), bytes]))
    const files = new Map<string, string>()
    for (const [digest, bytes] of kept) {
      const file = path.join(dir, digest.slice(7))
      writeFileSync(file, bytes)
      files.set(digest, file)
    }
    const top = manifest({
      schemaVersion: 2,
      config: { digest: digestOf(config), size: config.length },
      layers: [baseLayer, layer].map(bytes => ({ digest: digestOf(bytes), size: bytes.length }))
    })
    sent = { top, manifest: () => undefined, blobFile: digest => files.get(digest) }
  })

  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  const options = { timeoutMs: 0, stallMs: 0, retries: 1, retryDelayMs: 1 }

  test('another registry than the base’s: the base layer copied from it, the kept blobs uploaded, the manifest under each tag', async () => {
    const target = new MemoryRegistry('registry.acme.dev')
    const base = new MemoryRegistry('ghcr.io')
    base.blobs.set(`openhands/agent-server@${digestOf(baseLayer)}`, baseLayer)
    const result = await uploadSent(sent, ['registry.acme.dev/team/sandbox:1.23.0', 'registry.acme.dev/team/sandbox:latest'], {
      registries: registriesOf(target, base),
      baseReference: 'ghcr.io/openhands/agent-server:1.23.0-python',
      ...options
    })
    expect(result).toMatchObject({
      digest: sent.top.digest,
      uploaded: 2,
      uploadedBytes: [...kept.values()].reduce((a, b) => a + b.length, 0),
      present: 0,
      fromBase: 1
    })
    expect(target.blobs.get(`team/sandbox@${digestOf(baseLayer)}`)).toEqual(baseLayer)
    for (const [digest, bytes] of kept) expect(target.blobs.get(`team/sandbox@${digest}`)).toEqual(bytes)
    expect(target.manifests.get('team/sandbox:1.23.0')).toEqual(sent.top.body)
    expect(target.manifests.get('team/sandbox:latest')).toEqual(sent.top.body)
    expect(base.calls).toEqual([`open openhands/agent-server@${digestOf(baseLayer).slice(7, 11)}`])
    expect(target.calls.filter(call => call.startsWith('push')).some(call => call.includes(' from '))).toBe(false)
    expect(target.calls.slice(-2)).toEqual(['manifest team/sandbox:1.23.0', 'manifest team/sandbox:latest'])
  })

  test('the base’s registry: the base layer mounted from its repository; blobs already there are skipped', async () => {
    const target = new MemoryRegistry('ghcr.io')
    target.blobs.set(`openhands/agent-server@${digestOf(baseLayer)}`, baseLayer)
    const [configDigest, configBytes] = [...kept].at(-1) as [string, Buffer]
    target.blobs.set(`acme/sandbox@${configDigest}`, configBytes)
    const result = await uploadSent(sent, ['ghcr.io/acme/sandbox:t'], {
      registries: registriesOf(target),
      baseReference: 'ghcr.io/openhands/agent-server:1.23.0-python',
      ...options
    })
    expect(result).toMatchObject({ uploaded: 1, present: 1, fromBase: 1 })
    expect(target.calls).toContain(`push acme/sandbox@${digestOf(baseLayer).slice(7, 11)} from openhands/agent-server`)
    expect(target.calls.some(call => call.startsWith('open'))).toBe(false)
  })

  test('a server error is tried again, up to retries; a refusal is thrown at once', async () => {
    const target = new MemoryRegistry('r.example')
    target.blobs.set(`a/b@${digestOf(baseLayer)}`, baseLayer)
    target.failures.push(new RegistryError('HTTP 503', 'server', 'r.example'))
    const result = await uploadSent(sent, ['r.example/a/b:t'], { registries: registriesOf(target), ...options })
    expect(result).toMatchObject({ uploaded: 2, present: 1 })
    expect(target.calls.filter(call => call.startsWith('push'))).toHaveLength(3)

    const refusing = new MemoryRegistry('r.example')
    refusing.blobs.set(`a/b@${digestOf(baseLayer)}`, baseLayer)
    refusing.failures.push(new RegistryError('denied', 'forbidden', 'r.example'), new RegistryError('denied', 'forbidden', 'r.example'))
    await expect(uploadSent(sent, ['r.example/a/b:t'], { registries: registriesOf(refusing), ...options })).rejects.toThrow('denied')
    expect(refusing.calls.filter(call => call.startsWith('push'))).toHaveLength(2)
    expect(refusing.manifests.size).toBe(0)
  })

  test('no stall watch outlives its transfer, even when the body ends after the registry answered', async () => {
    const target = new MemoryRegistry('r.example')
    target.blobs.set(`a/b@${digestOf(baseLayer)}`, baseLayer)
    // The registry answers once it has all the bytes; the body's end (its flush) comes later, as over HTTP it may.
    target.pushBlob = async (_repository, blob, source) => {
      const reader = (await source()).getReader()
      for (let got = 0; got < blob.size;) got += (await reader.read()).value?.length ?? blob.size
      setTimeout(() => void reader.read(), 5)
      return 'uploaded'
    }
    // Counted by the watch's own delay, so timers of other tests and of jest itself cannot move the count.
    const armed = new Set<unknown>()
    let everArmed = 0
    const realSet = global.setTimeout
    const realClear = global.clearTimeout
    const setSpy = jest.spyOn(global, 'setTimeout').mockImplementation(((callback: () => void, ms?: number) => {
      const timer = realSet(callback, ms)
      if (ms === 60_000) {
        armed.add(timer)
        everArmed++
      }
      return timer
    }) as typeof setTimeout)
    const clearSpy = jest.spyOn(global, 'clearTimeout').mockImplementation(timer => {
      armed.delete(timer)
      realClear(timer)
    })
    try {
      await uploadSent(sent, ['r.example/a/b:t'], { registries: registriesOf(target), ...options, stallMs: 60_000 })
      await new Promise(resolve => realSet(resolve, 30))
    } finally {
      setSpy.mockRestore()
      clearSpy.mockRestore()
    }
    expect(everArmed).toBeGreaterThan(0)
    expect(armed.size).toBe(0)
  })

  test('a blob neither sent nor in a base cannot be uploaded: an error, and no manifest is put', async () => {
    const target = new MemoryRegistry('r.example')
    await expect(uploadSent(sent, ['r.example/a/b:t'], { registries: registriesOf(target), ...options })).rejects.toThrow(
      `the image names blob ${digestOf(baseLayer)}, which the engine did not send and no base repository holds`
    )
    expect(target.manifests.size).toBe(0)
  })
})
