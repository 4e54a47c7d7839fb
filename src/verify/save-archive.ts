/**
 * Reads a `docker save` archive as a stream. Two layouts exist: Docker Engine before 25 writes `<id>/layer.tar`
 * per layer plus `<config hex>.json` and `manifest.json`; Docker 25+ writes an OCI layout whose layers are
 * `blobs/sha256/<diff_id hex>` (uncompressed). In the OCI layout a layer is known by its name, so base layers are
 * drained unread; in the old one its diff_id is known only once it is hashed, so every layer is scanned and the
 * base's results are dropped afterwards.
 */
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { createGzip } from 'node:zlib'
import * as tar from 'tar-stream'
import { bytes, drain, feed, scanLayerTar, type LayerScan } from './layer-scan.js'

/** What one archive member is. Pure. */
export type SaveEntry =
  | { kind: 'blob'; digest: string }
  | { kind: 'legacy-layer' }
  | { kind: 'legacy-config'; digest: string }
  | { kind: 'other' }

export function classifySaveEntry(name: string): SaveEntry {
  const blob = /^(?:\.\/)?blobs\/sha256\/([0-9a-f]{64})$/.exec(name)
  if (blob) return { kind: 'blob', digest: `sha256:${blob[1]}` }
  if (/^(?:\.\/)?[0-9a-f]{64}\/layer\.tar$/.test(name)) return { kind: 'legacy-layer' }
  const config = /^(?:\.\/)?([0-9a-f]{64})\.json$/.exec(name)
  if (config) return { kind: 'legacy-config', digest: `sha256:${config[1]}` }
  return { kind: 'other' }
}

export interface ArchivePlan {
  /** The image ID (config digest), whose config blob is read from the archive. */
  configDigest: string
  /** The image's rootfs.diff_ids, base first. */
  diffIds: readonly string[]
  /** How many of them are the base's (a prefix); those are not scanned. */
  baseLayers: number
  spoolDir: string
  /** Files above this size are spooled to spoolDir (default SPOOL_AT); tests lower it. */
  spoolAt?: number
  /** Also gzip the custom layers (level 1) to estimate their compressed size before anything is pushed. */
  estimateCompressed?: boolean
}

export interface ArchiveScan {
  /** By layer index (into diffIds); only the custom layers have one. */
  layers: Map<number, LayerScan>
  /** Uncompressed size of each custom layer, by index. */
  sizes: Map<number, number>
  /** gzip (level 1) size of each custom layer, by index, when estimateCompressed was asked. */
  compressed: Map<number, number>
  /** The raw config blob, as the engine holds it. */
  config?: Buffer
  /** Base layers met in the archive and not scanned (or scanned and dropped, in the old layout). */
  skippedBase: number
  bytesRead: number
}

const MAX_CONFIG = 16 * 1024 * 1024

export async function scanSaveArchive(archive: AsyncIterable<Buffer>, plan: ArchivePlan): Promise<ArchiveScan> {
  const custom = new Map<string, number>()
  plan.diffIds.forEach((id, index) => {
    if (index >= plan.baseLayers && !custom.has(id)) custom.set(id, index)
  })
  const base = new Set(plan.diffIds.slice(0, plan.baseLayers).filter(id => !custom.has(id)))
  const result: ArchiveScan = { layers: new Map(), sizes: new Map(), compressed: new Map(), skippedBase: 0, bytesRead: 0 }
  const extract = tar.extract()
  const feeding = feed(archive, extract)
  for await (const entry of extract) {
    const what = classifySaveEntry(entry.header.name)
    const size = entry.header.size ?? 0
    result.bytesRead += size
    const isConfig = (what.kind === 'blob' || what.kind === 'legacy-config') && what.digest === plan.configDigest
    if (isConfig && size <= MAX_CONFIG) {
      result.config = await collect(bytes(entry))
      continue
    }
    if (what.kind === 'blob' && custom.has(what.digest)) {
      const index = custom.get(what.digest) as number
      const counter = { bytes: 0 }
      const source = plan.estimateCompressed ? gzipCounted(bytes(entry), counter) : bytes(entry)
      result.layers.set(index, await scanLayerTar(source, { spoolDir: plan.spoolDir, ...(plan.spoolAt ? { spoolAt: plan.spoolAt } : {}) }))
      result.sizes.set(index, size)
      if (plan.estimateCompressed) result.compressed.set(index, counter.bytes)
      continue
    }
    if (what.kind === 'blob' && base.has(what.digest)) result.skippedBase++
    if (what.kind === 'legacy-layer' && entry.header.type === 'file') {
      // The diff_id is the sha256 of the uncompressed layer tar: hashed while it is scanned.
      const hash = createHash('sha256')
      const counter = { bytes: 0 }
      const source = hashed(bytes(entry), hash)
      const scan = await scanLayerTar(plan.estimateCompressed ? gzipCounted(source, counter) : source, { spoolDir: plan.spoolDir, ...(plan.spoolAt ? { spoolAt: plan.spoolAt } : {}) })
      const digest = `sha256:${hash.digest('hex')}`
      const index = custom.get(digest)
      if (index !== undefined) {
        result.layers.set(index, scan)
        result.sizes.set(index, size)
        if (plan.estimateCompressed) result.compressed.set(index, counter.bytes)
      } else if (base.has(digest)) {
        result.skippedBase++
      }
      continue
    }
    await drain(bytes(entry))
  }
  await feeding
  return result
}

/** Passes the chunks on while a gzip stream (in the thread pool) counts their compressed size. */
async function* gzipCounted(source: AsyncIterable<Buffer>, counter: { bytes: number }): AsyncGenerator<Buffer> {
  const gzip = createGzip({ level: 1 })
  gzip.on('data', (chunk: Buffer) => {
    counter.bytes += chunk.length
  })
  try {
    for await (const chunk of source) {
      if (!gzip.write(chunk)) await once(gzip, 'drain')
      yield chunk
    }
    gzip.end()
    await once(gzip, 'end')
  } finally {
    gzip.destroy()
  }
}

async function* hashed(source: AsyncIterable<Buffer>, hash: ReturnType<typeof createHash>): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    hash.update(chunk)
    yield chunk
  }
}

async function collect(entry: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of entry) chunks.push(chunk)
  return Buffer.concat(chunks)
}
